package emulator_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/streamcheck/streamcheck/emulator"
	"github.com/streamcheck/streamcheck/emulator/edge"
	"github.com/streamcheck/streamcheck/emulator/fault"
	"github.com/streamcheck/streamcheck/emulator/internal/stacktest"
	"github.com/streamcheck/streamcheck/emulator/kinesisfake"
)

func startStack(t testing.TB, opts ...emulator.Option) *emulator.Stack {
	t.Helper()
	s, err := emulator.Start(context.Background(), append([]emulator.Option{emulator.WithBackend(emulator.Embedded)}, opts...)...)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// roundTrip is stacktest.RoundTrip.
var roundTrip = stacktest.RoundTrip

func TestEmbeddedStack(t *testing.T) {
	s := startStack(t)
	if s.KinesisURL == "" || s.S3URL == "" || s.KinesisURL == s.S3URL || len(s.KafkaBrokers) != 1 {
		t.Fatalf("stack endpoints: kinesis %q, s3 %q, kafka %v; want two different URLs and one broker", s.KinesisURL, s.S3URL, s.KafkaBrokers)
	}
	roundTrip(t, s.KinesisClient(), s.S3Client(), s.KafkaBrokers, "embedded")
}

// TestWithKinesisLimits: a PutRecords of 600 entries breaks AWS's limit of
// 500, which the stack enforces by default and not with its limits off.
func TestWithKinesisLimits(t *testing.T) {
	entries := make([]ktypes.PutRecordsRequestEntry, 600)
	for i := range entries {
		entries[i] = ktypes.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: []byte("x")}
	}
	for _, tc := range []struct {
		name    string
		opts    []emulator.Option
		wantErr bool
	}{
		{"default AWS limits", nil, true},
		{"limits off", []emulator.Option{emulator.WithKinesisLimits(kinesisfake.Limits{})}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kc := startStack(t, tc.opts...).KinesisClient()
			if _, err := kc.CreateStream(t.Context(), &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)}); err != nil {
				t.Fatalf("CreateStream: %v", err)
			}
			_, err := kc.PutRecords(t.Context(), &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: entries})
			if gotErr := err != nil; gotErr != tc.wantErr {
				t.Errorf("PutRecords of 600 entries: err = %v, want error %v", err, tc.wantErr)
			}
		})
	}
}

// TestAWSConfigResolvesEachService builds clients from the stack's
// aws.Config alone, as code that only takes an aws.Config does.
func TestAWSConfigResolvesEachService(t *testing.T) {
	if os.Getenv("AWS_ENDPOINT_URL") != "" {
		t.Skip("AWS_ENDPOINT_URL is set in this process; the SDK then ignores per-service endpoints from aws.Config")
	}
	s := startStack(t)
	roundTrip(t, kinesis.NewFromConfig(s.AWSConfig), s3.NewFromConfig(s.AWSConfig, func(o *s3.Options) { o.UsePathStyle = true }), nil, "config-only")
}

// TestEdge gives real SDK clients nothing but the edge URL.
func TestEdge(t *testing.T) {
	s := startStack(t, emulator.WithEdgeAddr("127.0.0.1:0"))
	if s.EdgeURL == "" || s.KinesisURL != s.EdgeURL || s.S3URL != s.EdgeURL {
		t.Fatalf("EdgeURL %q, KinesisURL %q, S3URL %q: want all three equal", s.EdgeURL, s.KinesisURL, s.S3URL)
	}
	cfg := s.AWSConfig.Copy()
	cfg.BaseEndpoint = aws.String(s.EdgeURL)
	cfg.ConfigSources = nil
	kc := kinesis.NewFromConfig(cfg)
	sc := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	roundTrip(t, kc, sc, s.KafkaBrokers, "edge")

	t.Run("virtual-hosted style", func(t *testing.T) {
		// bucket.localhost.localstack.cloud resolves to 127.0.0.1 on the
		// internet; dial the edge directly so the test stays offline.
		_, port, _ := net.SplitHostPort(strings.TrimPrefix(s.EdgeURL, "http://"))
		hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, "127.0.0.1:"+port)
		}}}
		vcfg := cfg.Copy()
		vcfg.BaseEndpoint = aws.String("http://localhost.localstack.cloud:" + port)
		vcfg.HTTPClient = hc
		vc := s3.NewFromConfig(vcfg)
		get, err := vc.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String("edge"), Key: aws.String("a/b.txt")})
		if err != nil {
			t.Fatalf("virtual-hosted GetObject: %v", err)
		}
		body, _ := io.ReadAll(get.Body)
		get.Body.Close()
		if string(body) != "object" {
			t.Errorf("body = %q, want %q", body, "object")
		}
	})

	t.Run("SubscribeToShard", func(t *testing.T) {
		ctx := t.Context()
		arn := aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/edge")
		reg, err := kc.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: arn, ConsumerName: aws.String("efo")})
		if err != nil {
			t.Fatalf("RegisterStreamConsumer: %v", err)
		}
		sub, err := kc.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{
			ConsumerARN: reg.Consumer.ConsumerARN, ShardId: aws.String("shardId-000000000000"),
			StartingPosition: &ktypes.StartingPosition{Type: ktypes.ShardIteratorTypeTrimHorizon},
		})
		if err != nil {
			t.Fatalf("SubscribeToShard through the edge: %v", err)
		}
		stream := sub.GetStream()
		defer stream.Close()
		select {
		case ev, ok := <-stream.Events():
			se, isEvent := ev.(*ktypes.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
			if !ok || !isEvent || len(se.Value.Records) != 1 || string(se.Value.Records[0].Data) != "hello" {
				t.Fatalf("first event = %T %v (stream error %v), want one record \"hello\"", ev, ok, stream.Err())
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no event in 10s")
		}
	})

	t.Run("health", func(t *testing.T) {
		resp, err := http.Get(s.EdgeURL + "/_localstack/health")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !bytes.Contains(b, []byte(`"kinesis":"running"`)) || !bytes.Contains(b, []byte(`"s3":"running"`)) {
			t.Errorf("health = %d %s, want 200 with kinesis and s3 running", resp.StatusCode, b)
		}
	})

	t.Run("fault API reaches S3", func(t *testing.T) {
		c := &edge.Client{Endpoint: s.EdgeURL}
		if _, err := c.AddFault(t.Context(), fault.Rule{Service: "s3", Operation: "PutObject", KeyPrefix: "slow/", Action: fault.ActionError, Code: "SlowDown", Status: 503, Times: 1}); err != nil {
			t.Fatalf("AddFault: %v", err)
		}
		noRetry := func(o *s3.Options) { o.RetryMaxAttempts = 1 }
		sc := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }, noRetry)
		_, err := sc.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("edge"), Key: aws.String("slow/x"), Body: strings.NewReader("x")})
		if err == nil || !strings.Contains(err.Error(), "SlowDown") {
			t.Fatalf("PutObject under the rule = %v, want SlowDown", err)
		}
		if _, err := sc.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("edge"), Key: aws.String("slow/x"), Body: strings.NewReader("x")}); err != nil {
			t.Fatalf("PutObject after the rule expired: %v", err)
		}
	})
}

func TestKafkaFaultThroughStack(t *testing.T) {
	s := startStack(t, emulator.WithKafkaTopic("t", 1))
	if _, err := s.AddFault(fault.Rule{Service: "kafka", Operation: "Produce", Action: fault.ActionError, Code: "NOT_A_KAFKA_ERROR"}); !errors.Is(err, fault.ErrInvalidRule) {
		t.Errorf("AddFault with a bad Kafka code = %v, want ErrInvalidRule", err)
	}
	id, err := s.AddFault(fault.Rule{Service: "kafka", Operation: "Produce", Action: fault.ActionError, Code: "NOT_LEADER_FOR_PARTITION", Times: 1})
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(s.KafkaBrokers...), kgo.MetadataMinAge(10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.ProduceSync(t.Context(), &kgo.Record{Topic: "t", Value: []byte("x")}).FirstErr(); err != nil {
		t.Fatalf("produce through NOT_LEADER_FOR_PARTITION: %v", err)
	}
	if r := s.Faults.Rules(); len(r) != 1 || r[0].ID != id || r[0].Fired != 1 {
		t.Errorf("rules = %+v, want rule %d fired once", r, id)
	}
}

// TestRestartWithDataDir keeps streams, objects and topics across a restart.
func TestRestartWithDataDir(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()

	// Phase 1: write.
	s, err := emulator.Start(ctx, emulator.WithBackend(emulator.Embedded), emulator.WithDataDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, s.KinesisClient(), s.S3Client(), s.KafkaBrokers, "durable")
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	// Phase 2: reopen and verify.
	s2 := startStack(t, emulator.WithDataDir(dir))
	sum, err := s2.KinesisClient().DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("durable")})
	if err != nil {
		t.Fatalf("DescribeStreamSummary after restart: %v", err)
	}
	if n := aws.ToInt32(sum.StreamDescriptionSummary.OpenShardCount); n != 1 {
		t.Errorf("open shards after restart = %d, want 1", n)
	}
	get, err := s2.S3Client().GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("durable"), Key: aws.String("a/b.txt")})
	if err != nil {
		t.Fatalf("GetObject after restart: %v", err)
	}
	get.Body.Close()
	if info := s2.Kafka().Cluster().TopicInfo("durable"); info == nil {
		t.Error("Kafka topic \"durable\" missing after restart")
	}
}

func TestBackendSelection(t *testing.T) {
	env := func(m map[string]string) emulator.Option {
		return emulator.WithGetenv(func(k string) string { return m[k] })
	}
	t.Run("unknown backend in env", func(t *testing.T) {
		_, err := emulator.Start(t.Context(), env(map[string]string{"STREAMCHECK_BACKEND": "cloud"}))
		if !errors.Is(err, emulator.ErrUnknownBackend) {
			t.Errorf("Start = %v, want ErrUnknownBackend", err)
		}
	})
	t.Run("unknown backend option", func(t *testing.T) {
		_, err := emulator.Start(t.Context(), emulator.WithBackend("cloud"))
		if !errors.Is(err, emulator.ErrUnknownBackend) {
			t.Errorf("Start = %v, want ErrUnknownBackend", err)
		}
	})
	t.Run("containers not linked in", func(t *testing.T) {
		// This test binary does not import emulator/containers, so the
		// backend is unknown here and the error says what to import.
		_, err := emulator.Start(t.Context(), emulator.WithBackend(emulator.Containers))
		if !errors.Is(err, emulator.ErrUnknownBackend) || !strings.Contains(err.Error(), "emulator/containers") {
			t.Errorf("Start(containers) = %v, want ErrUnknownBackend naming emulator/containers", err)
		}
	})
	t.Run("embedded by default", func(t *testing.T) {
		s, err := emulator.Start(t.Context(), env(nil))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if s.Backend != emulator.Embedded {
			t.Errorf("Backend = %q, want embedded", s.Backend)
		}
	})
	t.Run("external from env", func(t *testing.T) {
		s, err := emulator.Start(t.Context(), emulator.WithRegion("eu-west-1"), env(map[string]string{
			"STREAMCHECK_BACKEND":       "external",
			"AWS_ENDPOINT_URL":          "http://127.0.0.1:4566",
			"AWS_ENDPOINT_URL_S3":       "http://127.0.0.1:9000",
			"STREAMCHECK_KAFKA_BROKERS": "127.0.0.1:9092, 127.0.0.1:9093",
		}))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if s.Backend != emulator.External || s.KinesisURL != "http://127.0.0.1:4566" || s.S3URL != "http://127.0.0.1:9000" ||
			strings.Join(s.KafkaBrokers, ",") != "127.0.0.1:9092,127.0.0.1:9093" || s.Region != "eu-west-1" {
			t.Errorf("external stack = %+v", s)
		}
		if _, err := s.AddFault(fault.Rule{Service: "s3", Action: fault.ActionDrop}); !errors.Is(err, emulator.ErrFaultsUnavailable) {
			t.Errorf("AddFault on external = %v, want ErrFaultsUnavailable", err)
		}
	})
}

func TestEnv(t *testing.T) {
	s := startStack(t, emulator.WithEdgeAddr("127.0.0.1:0"), emulator.WithRegion("eu-central-1"))
	got := strings.Join(s.Env(), "\n")
	for _, want := range []string{
		"AWS_ENDPOINT_URL=" + s.EdgeURL,
		"AWS_ACCESS_KEY_ID=test",
		"AWS_SECRET_ACCESS_KEY=test",
		"AWS_REGION=eu-central-1",
		"STREAMCHECK_KAFKA_BROKERS=" + s.KafkaBrokers[0],
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Env() =\n%s\nwant a line %q", got, want)
		}
	}
}

func TestCloseIsIdempotent(t *testing.T) {
	s := startStack(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
}

// BenchmarkStartEmbedded measures starting and closing the whole embedded
// stack (Kinesis, S3, Kafka, each on its own loopback port).
func BenchmarkStartEmbedded(b *testing.B) {
	for b.Loop() {
		s, err := emulator.Start(context.Background(), emulator.WithBackend(emulator.Embedded))
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

// BenchmarkStartEmbeddedEdge is BenchmarkStartEmbedded with one edge port.
func BenchmarkStartEmbeddedEdge(b *testing.B) {
	for b.Loop() {
		s, err := emulator.Start(context.Background(), emulator.WithBackend(emulator.Embedded), emulator.WithEdgeAddr("127.0.0.1:0"))
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}
