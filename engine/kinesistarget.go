package engine

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// StreamARN is a Kinesis data stream's ARN taken apart:
// arn:PARTITION:kinesis:REGION:ACCOUNT:stream/NAME.
type StreamARN struct {
	Partition, Region, Account, Name string
}

// ParseStreamARN splits a Kinesis stream ARN into its parts. Anything that is
// not arn:PARTITION:kinesis:REGION:ACCOUNT:stream/NAME, with every part
// present and a 12-digit account, is an error saying what was expected.
func ParseStreamARN(arn string) (StreamARN, error) {
	const want = "arn:PARTITION:kinesis:REGION:ACCOUNT:stream/NAME"
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "kinesis" {
		return StreamARN{}, fmt.Errorf("stream ARN %q: want %s", arn, want)
	}
	name, ok := strings.CutPrefix(parts[5], "stream/")
	switch {
	case parts[1] == "":
		return StreamARN{}, fmt.Errorf("stream ARN %q: no partition; want %s", arn, want)
	case parts[3] == "":
		return StreamARN{}, fmt.Errorf("stream ARN %q: no region; want %s", arn, want)
	case len(parts[4]) != 12 || strings.Trim(parts[4], "0123456789") != "":
		return StreamARN{}, fmt.Errorf("stream ARN %q: account %q is not 12 digits", arn, parts[4])
	case !ok || name == "" || strings.Contains(name, "/"):
		return StreamARN{}, fmt.Errorf("stream ARN %q: resource %q is not stream/NAME", arn, parts[5])
	}
	return StreamARN{Partition: parts[1], Region: parts[3], Account: parts[4], Name: name}, nil
}

// String returns the ARN.
func (a StreamARN) String() string {
	return "arn:" + a.Partition + ":kinesis:" + a.Region + ":" + a.Account + ":stream/" + a.Name
}

// KinesisEndpoint returns the Kinesis endpoint the job's source names:
// endpointUrl, else endpoint, else "" (AWS_ENDPOINT_URL, else AWS).
func (s Source) KinesisEndpoint() string {
	if s.EndpointURL != "" {
		return s.EndpointURL
	}
	return s.Endpoint
}

// KinesisStream returns the stream's name and region as the job resolves
// them: the name is streamName, else the name in streamARN; the region is
// source.region, else streamARN's, else that of an AWS Kinesis endpointUrl
// (kinesis.REGION.amazonaws.com), else "" (the AWS configuration's). Call
// it on a validated job.
func (s Source) KinesisStream() (name, region string) {
	name, region = s.StreamName, s.Region
	if a, err := ParseStreamARN(s.StreamARN); err == nil {
		if name == "" {
			name = a.Name
		}
		if region == "" {
			region = a.Region
		}
	}
	if region == "" {
		region = endpointRegion(s.KinesisEndpoint())
	}
	return name, region
}

// endpointRegion returns REGION of an AWS Kinesis endpoint
// (https://kinesis.REGION.amazonaws.com, also .amazonaws.com.cn and the
// FIPS and dual-stack forms), else "".
func endpointRegion(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return ""
	}
	labels := strings.Split(u.Hostname(), ".")
	for i := 0; i+2 < len(labels); i++ {
		if (labels[i] == "kinesis" || labels[i] == "kinesis-fips") && labels[i+2] == "amazonaws" {
			return labels[i+1]
		}
		if (labels[i] == "kinesis" || labels[i] == "kinesis-fips") && i+3 < len(labels) && labels[i+2] == "api" && labels[i+3] == "aws" {
			return labels[i+1]
		}
	}
	return ""
}

// validateKinesisTarget checks streamARN, its agreement with streamName and
// region, and the endpoint keys.
func (s Source) validateKinesisTarget() []error {
	var errs []error
	bad := func(field string, value any, want string) {
		errs = append(errs, &FieldError{Field: "source." + field, Value: value, Want: want})
	}
	if s.StreamARN != "" {
		a, err := ParseStreamARN(s.StreamARN)
		switch {
		case err != nil:
			bad("streamARN", s.StreamARN, "arn:aws:kinesis:REGION:ACCOUNT:stream/NAME ("+err.Error()+")")
		case s.StreamName != "" && s.StreamName != a.Name:
			bad("streamName", s.StreamName, fmt.Sprintf("%q, the stream streamARN names, or empty", a.Name))
		case s.Region != "" && s.Region != a.Region:
			bad("region", s.Region, fmt.Sprintf("%q, streamARN's region, or empty", a.Region))
		}
	}
	for _, e := range []struct{ field, v string }{{"endpointUrl", s.EndpointURL}, {"endpoint", s.Endpoint}} {
		if e.v == "" {
			continue
		}
		if u, err := url.Parse(e.v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad(e.field, e.v, "an http:// or https:// URL such as https://kinesis.us-east-1.amazonaws.com")
		}
	}
	if s.EndpointURL != "" && s.Endpoint != "" && s.EndpointURL != s.Endpoint {
		bad("endpointUrl", s.EndpointURL, fmt.Sprintf("empty or the same URL as source.endpoint (%q): they are one setting", s.Endpoint))
	}
	return errs
}

// consumerARN matches a stream consumer's ARN.
var consumerARN = regexp.MustCompile(`^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream/[a-zA-Z0-9_.-]+/consumer/[a-zA-Z0-9_.-]+:\d+$`)

// validateFanout checks fanoutConsumerARN.
func (j *Job) validateFanout() []error {
	c := j.Options.FanoutConsumerARN
	if c == "" || (j.Source.Kind == KindKinesis && consumerARN.MatchString(c)) {
		return nil
	}
	return []error{&FieldError{Field: "connectionOptions.fanoutConsumerARN", Value: c,
		Want: "a stream consumer ARN, arn:aws:kinesis:REGION:ACCOUNT:stream/NAME/consumer/CONSUMER:TIMESTAMP, with source.kind kinesis"}}
}
