package engine_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/streamcheck/streamcheck/engine"
)

func TestParseStreamARN(t *testing.T) {
	t.Parallel()
	good := engine.StreamARN{Partition: "aws", Region: "us-east-2", Account: "777788889999", Name: "fromOptionsStream"}
	a, err := engine.ParseStreamARN("arn:aws:kinesis:us-east-2:777788889999:stream/fromOptionsStream")
	if err != nil || a != good {
		t.Fatalf("ParseStreamARN = %+v, %v; want %+v", a, err, good)
	}
	if got := a.String(); got != "arn:aws:kinesis:us-east-2:777788889999:stream/fromOptionsStream" {
		t.Errorf("String = %q, want the ARN back", got)
	}
	for _, tt := range []struct{ name, arn, want string }{
		{"not an ARN", "mystream", "want arn:PARTITION:kinesis"},
		{"other service", "arn:aws:sqs:us-east-1:123456789012:stream/s", "want arn:PARTITION:kinesis"},
		{"no region", "arn:aws:kinesis::123456789012:stream/s", "no region"},
		{"short account", "arn:aws:kinesis:us-east-1:1234:stream/s", `account "1234" is not 12 digits`},
		{"consumer ARN", "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1", "is not stream/NAME"},
		{"no name", "arn:aws:kinesis:us-east-1:123456789012:stream/", "is not stream/NAME"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := engine.ParseStreamARN(tt.arn)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseStreamARN(%q) = %v, want an error containing %q", tt.arn, err, tt.want)
			}
		})
	}
}

func TestKinesisStreamResolution(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name                 string
		src                  engine.Source
		wantName, wantRegion string
		wantEndpoint         string
	}{
		{"name only", engine.Source{StreamName: "s"}, "s", "", ""},
		{"ARN", engine.Source{StreamARN: "arn:aws:kinesis:eu-west-1:123456789012:stream/orders"}, "orders", "eu-west-1", ""},
		{"ARN and region", engine.Source{StreamARN: "arn:aws:kinesis:eu-west-1:123456789012:stream/orders", Region: "eu-west-1"}, "orders", "eu-west-1", ""},
		{"endpointUrl region", engine.Source{StreamName: "s", EndpointURL: "https://kinesis.ap-south-1.amazonaws.com"}, "s", "ap-south-1", "https://kinesis.ap-south-1.amazonaws.com"},
		{"FIPS endpointUrl", engine.Source{StreamName: "s", EndpointURL: "https://kinesis-fips.us-gov-west-1.amazonaws.com"}, "s", "us-gov-west-1", "https://kinesis-fips.us-gov-west-1.amazonaws.com"},
		{"ARN wins over endpointUrl", engine.Source{StreamARN: "arn:aws:kinesis:eu-west-1:123456789012:stream/o", EndpointURL: "https://kinesis.us-east-1.amazonaws.com"}, "o", "eu-west-1", "https://kinesis.us-east-1.amazonaws.com"},
		{"local endpointUrl", engine.Source{StreamName: "s", EndpointURL: "http://127.0.0.1:4566"}, "s", "", "http://127.0.0.1:4566"},
		{"endpoint", engine.Source{StreamName: "s", Endpoint: "http://127.0.0.1:4566"}, "s", "", "http://127.0.0.1:4566"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			name, region := tt.src.KinesisStream()
			if name != tt.wantName || region != tt.wantRegion {
				t.Errorf("KinesisStream = %q, %q; want %q, %q", name, region, tt.wantName, tt.wantRegion)
			}
			if got := tt.src.KinesisEndpoint(); got != tt.wantEndpoint {
				t.Errorf("KinesisEndpoint = %q, want %q", got, tt.wantEndpoint)
			}
		})
	}
}

func TestValidateKinesisTarget(t *testing.T) {
	t.Parallel()
	const arn = "arn:aws:kinesis:us-east-2:777788889999:stream/fromOptionsStream"
	for _, tt := range []struct {
		name   string
		change func(*engine.Job)
		field  string
		want   string
	}{
		{"bad ARN", func(j *engine.Job) {
			j.Source.StreamName, j.Source.StreamARN = "", "arn:aws:kinesis:us-east-2:7777:stream/x"
		}, "source.streamARN", "is not 12 digits"},
		{"name disagrees", func(j *engine.Job) { j.Source.StreamName, j.Source.StreamARN = "other", arn }, "source.streamName", `"fromOptionsStream", the stream streamARN names`},
		{"region disagrees", func(j *engine.Job) { j.Source.StreamARN, j.Source.StreamName, j.Source.Region = arn, "", "us-west-2" }, "source.region", `"us-east-2", streamARN's region`},
		{"endpointUrl not a URL", func(j *engine.Job) { j.Source.EndpointURL = "kinesis.us-east-1.amazonaws.com" }, "source.endpointUrl", "an http:// or https:// URL"},
		{"two endpoints", func(j *engine.Job) {
			j.Source.EndpointURL, j.Source.Endpoint = "http://127.0.0.1:1", "http://127.0.0.1:2"
		}, "source.endpointUrl", "they are one setting"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			j := validJob()
			tt.change(j)
			err := j.Validate()
			var fe *engine.FieldError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.field+":") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate = %v, want a *FieldError on %s containing %q", err, tt.field, tt.want)
			}
		})
	}
	for _, tt := range []struct {
		name   string
		change func(*engine.Job)
	}{
		{"ARN alone", func(j *engine.Job) { j.Source.StreamName, j.Source.StreamARN = "", arn }},
		{"ARN and its name", func(j *engine.Job) { j.Source.StreamName, j.Source.StreamARN = "fromOptionsStream", arn }},
		{"same endpoint twice", func(j *engine.Job) {
			j.Source.EndpointURL, j.Source.Endpoint = "http://127.0.0.1:1", "http://127.0.0.1:1"
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			j := validJob()
			tt.change(j)
			if err := j.Validate(); err != nil {
				t.Errorf("Validate = %v, want nil", err)
			}
		})
	}
}

// TestEndpointURLAndStreamARN runs a job that names its stream by ARN and
// its endpoint with Glue's endpointUrl, with no endpoint or region in the
// AWS configuration: the SDK must reach the fake through endpointUrl, in the
// ARN's region.
func TestEndpointURLAndStreamARN(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 2)
	h.put(50, 2, false)
	url := h.kin.URL()
	h.cfg.BaseEndpoint = nil
	h.cfg.Region = ""
	j := h.job()
	j.Source.StreamName = ""
	j.Source.StreamARN = "arn:aws:kinesis:eu-west-1:123456789012:stream/" + stream
	j.Source.EndpointURL = url
	if err := h.run(j); err != nil {
		t.Fatalf("Run: %v", err)
	}
	h.checkOnce(false)
	if got := aws.ToString(h.cfg.BaseEndpoint); got != "" {
		t.Fatalf("harness endpoint = %q, want none (the job's endpointUrl only)", got)
	}
}

func TestValidateSTS(t *testing.T) {
	t.Parallel()
	const role = "arn:aws:iam::111122223333:role/cross-account"
	for _, tt := range []struct {
		name   string
		change func(*engine.Job)
		field  string
		want   string
	}{
		{"session without role", func(j *engine.Job) { j.Options.AWSSTSSessionName = "s1" }, "connectionOptions.awsSTSRoleARN", "used together"},
		{"role without session", func(j *engine.Job) { j.Options.AWSSTSRoleARN = role }, "connectionOptions.awsSTSSessionName", "required with awsSTSRoleARN"},
		{"not a role", func(j *engine.Job) {
			j.Options.AWSSTSRoleARN, j.Options.AWSSTSSessionName = "arn:aws:iam::111122223333:user/bob", "s1"
		}, "connectionOptions.awsSTSRoleARN", "an IAM role ARN"},
		{"bad session", func(j *engine.Job) { j.Options.AWSSTSRoleARN, j.Options.AWSSTSSessionName = role, "a b" }, "connectionOptions.awsSTSSessionName", "2 to 64"},
		{"endpoint without role", func(j *engine.Job) { j.Options.AWSSTSEndpoint = "https://sts.eu-west-1.amazonaws.com" }, "connectionOptions.awsSTSEndpoint", "empty unless awsSTSRoleARN"},
		{"endpoint not a URL", func(j *engine.Job) {
			j.Options.AWSSTSRoleARN, j.Options.AWSSTSSessionName, j.Options.AWSSTSEndpoint = role, "s1", "sts.amazonaws.com"
		}, "connectionOptions.awsSTSEndpoint", "an http:// or https:// URL"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			j := validJob()
			tt.change(j)
			err := j.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.field+":") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate = %v, want an error on %s containing %q", err, tt.field, tt.want)
			}
		})
	}
	j := validJob()
	j.Options.AWSSTSRoleARN, j.Options.AWSSTSSessionName, j.Options.AWSSTSEndpoint = role, "glue-job", "https://sts.eu-west-1.amazonaws.com"
	if err := j.Validate(); err != nil {
		t.Errorf("Validate with a role, a session and an endpoint = %v, want nil", err)
	}
}

func TestValidateKinesisSink(t *testing.T) {
	t.Parallel()
	kin := func(j *engine.Job) { j.Sink.Kind, j.Sink.Path, j.Sink.Kinesis.StreamName = "kinesis", "", "out" }
	for _, tt := range []struct {
		name   string
		change func(*engine.Job)
		field  string
		want   string
	}{
		{"kind", func(j *engine.Job) { j.Sink.Kind = "firehose" }, "sink.kind", `"kinesis"`},
		{"keys without kind", func(j *engine.Job) { j.Sink.Kinesis.PartitionKey = "id" }, "sink.kind", `"kinesis" with the Kinesis sink's keys`},
		{"no stream", func(j *engine.Job) { kin(j); j.Sink.Kinesis.StreamName = "" }, "sink.streamName", "a stream name"},
		{"path too", func(j *engine.Job) { kin(j); j.Sink.Path = "s3://b/out" }, "sink.path", "empty with kind kinesis"},
		{"bad ARN", func(j *engine.Job) { kin(j); j.Sink.Kinesis.StreamARN = "arn:aws:kinesis:x" }, "sink.streamARN", "arn:aws:kinesis:REGION"},
		{"partition key column", func(j *engine.Job) { kin(j); j.Sink.Kinesis.PartitionKey = "nope" }, "sink.partitionKey", "an output column"},
		{"collection count", func(j *engine.Job) { kin(j); j.Sink.Kinesis.CollectionMaxCount = 501 }, "collectionMaxCount 501", "want 1 to 500"},
		{"aggregation size", func(j *engine.Job) { kin(j); j.Sink.Kinesis.AggregationMaxSize = -1 }, "aggregationMaxSize -1", "want 1 to 1048576"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			j := validJob()
			tt.change(j)
			err := j.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.field) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate = %v, want an error on %s containing %q", err, tt.field, tt.want)
			}
		})
	}
	j := validJob()
	kin(j)
	j.Sink.Kinesis.PartitionKey = "region"
	if err := j.Validate(); err != nil {
		t.Errorf("Validate of a Kinesis sink = %v, want nil", err)
	}
	yes := true
	j.Sink.Kinesis.AggregationEnabled = &yes
	if err := j.Validate(); err != nil {
		t.Errorf("Validate with aggregationEnabled = %v, want nil", err)
	}
}

func TestValidateFanoutConsumerARN(t *testing.T) {
	t.Parallel()
	const good = "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/glue-efo:1700000000"
	for _, tt := range []struct {
		name, arn string
		kafka     bool
		ok        bool
	}{
		{"consumer ARN", good, false, true},
		{"stream ARN", "arn:aws:kinesis:us-east-1:123456789012:stream/s", false, false},
		{"no timestamp", "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c", false, false},
		{"kafka source", good, true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			j := validJob()
			j.Options.FanoutConsumerARN = tt.arn
			if tt.kafka {
				j.Source.Kind, j.Source.StreamName, j.Options.TopicName = "kafka", "", "t"
			}
			err := j.Validate()
			if ok := err == nil; ok != tt.ok {
				t.Errorf("Validate = %v, want ok %v", err, tt.ok)
			}
			if err != nil && !strings.Contains(err.Error(), "connectionOptions.fanoutConsumerARN") {
				t.Errorf("Validate = %v, want it to name connectionOptions.fanoutConsumerARN", err)
			}
		})
	}
}
