package engine

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/streamcheck/streamcheck/engine/source"
)

// validateKafka checks the Kafka connection options.
func (o ConnectionOptions) validateKafka() []error {
	var errs []error
	bad := func(field string, value any, want string) {
		errs = append(errs, &FieldError{Field: "connectionOptions." + field, Value: value, Want: want})
	}
	set := 0
	for _, v := range []string{o.TopicName, o.Assign, o.SubscribePattern} {
		if v != "" {
			set++
		}
	}
	if set != 1 {
		bad("topicName", o.TopicName, "exactly one of topicName, assign and subscribePattern")
	}
	if o.Assign != "" {
		if _, err := parseAssign(o.Assign); err != nil {
			bad("assign", o.Assign, `JSON such as {"topic":[0,1]}`)
		}
	}
	if o.SubscribePattern != "" {
		if _, err := regexp.Compile(o.SubscribePattern); err != nil {
			bad("subscribePattern", o.SubscribePattern, "a regular expression")
		}
	}
	if _, _, err := parseStartingOffsets(o.StartingOffsets); err != nil {
		bad("startingOffsets", o.StartingOffsets, `earliest, latest or JSON such as {"topic":{"0":23,"1":-2}}`)
	}
	if o.StartingTimestamp != "" {
		if _, err := time.Parse(time.RFC3339Nano, o.StartingTimestamp); err != nil {
			bad("startingTimestamp", o.StartingTimestamp, "an RFC 3339 timestamp")
		}
	}
	if o.MaxOffsetsPerTrigger < 0 {
		bad("maxOffsetsPerTrigger", o.MaxOffsetsPerTrigger, "0 (no cap) or more")
	}
	if o.PollTimeoutMs <= 0 {
		bad("pollTimeoutMs", o.PollTimeoutMs, "a positive number")
	}
	for i, b := range brokers(o.BootstrapServers) {
		if _, _, err := net.SplitHostPort(b); err != nil {
			bad(fmt.Sprintf("bootstrap.servers[%d]", i), b, "host:port")
		}
	}
	switch strings.ToUpper(o.SecurityProtocol) {
	case "", "PLAINTEXT", "SSL":
		if o.SASLMechanism != "" {
			bad("sasl.mechanism", o.SASLMechanism, "none unless security.protocol is SASL_PLAINTEXT or SASL_SSL")
		}
	case "SASL_PLAINTEXT", "SASL_SSL":
		switch strings.ToUpper(o.SASLMechanism) {
		case "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512":
		default:
			bad("sasl.mechanism", o.SASLMechanism, "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512")
		}
		if o.SASLUsername == "" {
			bad("sasl.username", o.SASLUsername, "a user name for SASL")
		}
	default:
		bad("security.protocol", o.SecurityProtocol, "PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL")
	}
	return errs
}

func brokers(s string) []string {
	var out []string
	for _, b := range strings.Split(s, ",") {
		if b = strings.TrimSpace(b); b != "" {
			out = append(out, b)
		}
	}
	return out
}

func parseAssign(s string) (map[string][]int32, error) {
	var m map[string][]int32
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, err
	}
	if len(m) == 0 {
		return nil, errors.New("no partitions")
	}
	return m, nil
}

// parseStartingOffsets reads earliest, latest or per-partition JSON into
// the default offset and the per-partition map.
func parseStartingOffsets(s string) (int64, map[string]map[int32]int64, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "latest":
		return source.OffsetLatest, nil, nil
	case "earliest":
		return source.OffsetEarliest, nil, nil
	}
	var raw map[string]map[string]int64
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return 0, nil, err
	}
	out := map[string]map[int32]int64{}
	for t, ps := range raw {
		out[t] = map[int32]int64{}
		for p, o := range ps {
			n, err := strconv.ParseInt(p, 10, 32)
			if err != nil || o < source.OffsetEarliest {
				return 0, nil, fmt.Errorf("topic %s partition %q offset %d", t, p, o)
			}
			out[t][int32(n)] = o
		}
	}
	return source.OffsetLatest, out, nil
}

// kafkaConfig maps the job's Kafka options to the source's configuration
// and kgo's TLS and SASL options.
func (j *Job) kafkaConfig() (source.KafkaConfig, error) {
	o := j.Options
	cfg := source.KafkaConfig{
		Brokers:              brokers(o.BootstrapServers),
		Topic:                o.TopicName,
		MaxOffsetsPerTrigger: o.MaxOffsetsPerTrigger,
		PollTimeout:          time.Duration(o.PollTimeoutMs) * time.Millisecond,
		NumRetries:           o.NumRetries,
		RetryInterval:        time.Duration(o.RetryIntervalMs) * time.Millisecond,
		MetadataInterval:     time.Duration(o.DescribeShardInterval),
		FailOnDataLoss:       o.FailOnDataLoss,
	}
	if len(cfg.Brokers) == 0 {
		return cfg, &FieldError{Field: "connectionOptions.bootstrap.servers", Value: o.BootstrapServers,
			Want: "host:port[,host:port] (or STREAMCHECK_KAFKA_BROKERS for streamcheck run)"}
	}
	var err error
	if o.Assign != "" {
		if cfg.Assign, err = parseAssign(o.Assign); err != nil {
			return cfg, fmt.Errorf("job: connectionOptions.assign: %w", err)
		}
	}
	if o.SubscribePattern != "" {
		if cfg.SubscribePattern, err = regexp.Compile(o.SubscribePattern); err != nil {
			return cfg, fmt.Errorf("job: connectionOptions.subscribePattern: %w", err)
		}
	}
	if cfg.DefaultStartingOffset, cfg.StartingOffsets, err = parseStartingOffsets(o.StartingOffsets); err != nil {
		return cfg, fmt.Errorf("job: connectionOptions.startingOffsets: %w", err)
	}
	if o.StartingTimestamp != "" {
		if cfg.StartingTimestamp, err = time.Parse(time.RFC3339Nano, o.StartingTimestamp); err != nil {
			return cfg, fmt.Errorf("job: connectionOptions.startingTimestamp: %w", err)
		}
	}
	proto := strings.ToUpper(o.SecurityProtocol)
	if proto == "SSL" || proto == "SASL_SSL" {
		tc := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: o.SSLSkipValidation} //nolint:gosec // the job asks for it
		if o.SSLCALocation != "" {
			pem, err := os.ReadFile(o.SSLCALocation)
			if err != nil {
				return cfg, fmt.Errorf("job: connectionOptions.ssl.ca.location: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return cfg, fmt.Errorf("job: connectionOptions.ssl.ca.location: %s holds no PEM certificate", o.SSLCALocation)
			}
			tc.RootCAs = pool
		}
		cfg.ClientOptions = append(cfg.ClientOptions, kgo.DialTLSConfig(tc))
	}
	if proto == "SASL_PLAINTEXT" || proto == "SASL_SSL" {
		switch strings.ToUpper(o.SASLMechanism) {
		case "PLAIN":
			cfg.ClientOptions = append(cfg.ClientOptions, kgo.SASL(plain.Auth{User: o.SASLUsername, Pass: o.SASLPassword}.AsMechanism()))
		case "SCRAM-SHA-256":
			cfg.ClientOptions = append(cfg.ClientOptions, kgo.SASL(scram.Auth{User: o.SASLUsername, Pass: o.SASLPassword}.AsSha256Mechanism()))
		case "SCRAM-SHA-512":
			cfg.ClientOptions = append(cfg.ClientOptions, kgo.SASL(scram.Auth{User: o.SASLUsername, Pass: o.SASLPassword}.AsSha512Mechanism()))
		}
	}
	return cfg, nil
}
