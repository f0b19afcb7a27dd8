package emulator

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/emulator/dynamodbfake"
	"github.com/streamcheck/streamcheck/emulator/fault"
	"github.com/streamcheck/streamcheck/emulator/kafkafake"
	"github.com/streamcheck/streamcheck/emulator/kinesisfake"
	"github.com/streamcheck/streamcheck/emulator/s3fake"
	"github.com/streamcheck/streamcheck/emulator/stsfake"
)

// Backend names where a Stack's services run.
type Backend string

// The backends Start knows.
const (
	Embedded   Backend = "embedded"
	Containers Backend = "containers"
	External   Backend = "external"
)

// Environment variables Start reads.
const (
	// EnvBackend chooses the backend when WithBackend is not given.
	EnvBackend = "STREAMCHECK_BACKEND"
	// EnvKafkaBrokers is a comma-separated Kafka seed list for the external
	// backend, and what Stack.Env exports.
	EnvKafkaBrokers = "STREAMCHECK_KAFKA_BROKERS"
)

// Defaults of Start's options.
const (
	DefaultRegion = "us-east-1"
	// TestAccessKeyID and TestSecretAccessKey are the static credentials
	// of the embedded and containers backends, LocalStack's convention.
	TestAccessKeyID     = "test"
	TestSecretAccessKey = "test"
)

// ErrFaultsUnavailable is returned by AddFault on a backend that cannot
// inject faults (containers, external).
var ErrFaultsUnavailable = errors.New("emulator: fault injection needs the embedded backend")

// ErrUnknownBackend is wrapped by Start for a backend name it does not know.
var ErrUnknownBackend = errors.New("emulator: unknown backend")

type options struct {
	backend     Backend
	clock       clock.Clock
	seed        uint64
	dataDir     string
	region      string
	edgeAddr    string
	kafkaAddr   string
	kafkaAdv    string
	topics      []topic
	lsImage     string
	kafkaImage  string
	getenv      func(string) string
	version     string
	kafkaBroker int
	kinLimits   *kinesisfake.Limits
}

type topic struct {
	name       string
	partitions int
}

// Option configures Start. An invalid option makes Start return its error.
type Option interface{ apply(*options) error }

type optionFunc func(*options) error

func (f optionFunc) apply(o *options) error { return f(o) }

// WithBackend chooses the backend, overriding STREAMCHECK_BACKEND: Embedded,
// External or one registered with RegisterBackend (Containers, once package
// emulator/containers is imported).
func WithBackend(b Backend) Option {
	return optionFunc(func(o *options) error {
		if err := checkBackend(b); err != nil {
			return err
		}
		o.backend = b
		return nil
	})
}

// checkBackend returns an error wrapping ErrUnknownBackend for a backend
// Start cannot run, saying what to import for a known one not linked in.
func checkBackend(b Backend) error {
	if b == Embedded || b == External {
		return nil
	}
	if _, ok := registered(b); ok {
		return nil
	}
	if b == Containers {
		return fmt.Errorf("%w %q: it is not linked into this program; import %q", ErrUnknownBackend, b, "github.com/streamcheck/streamcheck/emulator/containers")
	}
	return fmt.Errorf("%w %q: want embedded, containers or external", ErrUnknownBackend, b)
}

// WithClock sets the clock of the embedded emulators. The default is
// clock.Real(). Other backends ignore it.
func WithClock(c clock.Clock) Option {
	return optionFunc(func(o *options) error {
		if c == nil {
			return errors.New("emulator: WithClock: clock is nil")
		}
		o.clock = c
		return nil
	})
}

// WithSeed seeds the embedded emulators and their shared fault injector. The
// default is 0.
func WithSeed(seed uint64) Option {
	return optionFunc(func(o *options) error { o.seed = seed; return nil })
}

// WithDataDir keeps the embedded emulators' data under dir (kinesis/, s3/,
// dynamodb/ and kafka/), so a Stack started again on it finds its streams,
// objects, tables and topics. The default keeps everything in memory.
func WithDataDir(dir string) Option {
	return optionFunc(func(o *options) error { o.dataDir = dir; return nil })
}

// WithRegion sets the region of the embedded and containers backends and of
// their aws.Config. The default is DefaultRegion; the external backend uses
// the default chain's region unless this is given.
func WithRegion(r string) Option {
	return optionFunc(func(o *options) error { o.region = r; return nil })
}

// WithEdgeAddr serves the embedded Kinesis and S3 on one LocalStack-style
// edge listener at addr (e.g. "127.0.0.1:4566"; port 0 picks one), with the
// health endpoint and the fault API. By default each service gets its own
// loopback port.
func WithEdgeAddr(addr string) Option {
	return optionFunc(func(o *options) error { o.edgeAddr = addr; return nil })
}

// WithKafkaAddr sets the embedded Kafka listener, e.g. "127.0.0.1:9092". The
// default is a free loopback port.
func WithKafkaAddr(addr string) Option {
	return optionFunc(func(o *options) error { o.kafkaAddr = addr; return nil })
}

// WithKafkaAdvertisedHost sets the host embedded Kafka tells clients to
// connect to. The default is the listening host, or 127.0.0.1 when Kafka
// listens on every interface.
func WithKafkaAdvertisedHost(host string) Option {
	return optionFunc(func(o *options) error { o.kafkaAdv = host; return nil })
}

// WithKafkaBrokers sets how many embedded Kafka brokers run; the default is
// one.
func WithKafkaBrokers(n int) Option {
	return optionFunc(func(o *options) error {
		if n < 1 {
			return fmt.Errorf("emulator: WithKafkaBrokers %d: want at least 1", n)
		}
		o.kafkaBroker = n
		return nil
	})
}

// WithKafkaTopic creates an embedded Kafka topic up front.
func WithKafkaTopic(name string, partitions int) Option {
	return optionFunc(func(o *options) error { o.topics = append(o.topics, topic{name, partitions}); return nil })
}

// WithLocalStackImage overrides containers.DefaultLocalStackImage for the containers
// backend. Any image that serves LocalStack's edge port 4566 and health
// endpoint works, including streamcheck's own emulator image.
func WithLocalStackImage(image string) Option {
	return optionFunc(func(o *options) error { o.lsImage = image; return nil })
}

// WithKafkaImage overrides containers.DefaultKafkaImage for the containers
// backend.
func WithKafkaImage(image string) Option {
	return optionFunc(func(o *options) error { o.kafkaImage = image; return nil })
}

// WithGetenv sets where Start reads STREAMCHECK_BACKEND,
// STREAMCHECK_KAFKA_BROKERS, LOCALSTACK_AUTH_TOKEN and the AWS_ENDPOINT_URL
// variables. The default is os.Getenv. The external backend's credentials
// and region still come from the SDK's default chain.
func WithGetenv(fn func(string) string) Option {
	return optionFunc(func(o *options) error { o.getenv = fn; return nil })
}

// WithKinesisLimits sets the embedded Kinesis emulator's limits (shard
// throughput, record and request sizes, account quotas). The default is
// kinesisfake.DefaultLimits(), AWS's own; kinesisfake.Limits{} turns every
// limit off, for throughput measurements. Other backends ignore it.
func WithKinesisLimits(l kinesisfake.Limits) Option {
	return optionFunc(func(o *options) error { o.kinLimits = &l; return nil })
}

// WithVersion sets the version the edge health endpoint reports.
func WithVersion(v string) Option {
	return optionFunc(func(o *options) error { o.version = v; return nil })
}

// Stack is a running set of endpoints. Its fields are set by Start and must
// not be changed.
type Stack struct {
	// Backend is the backend serving the stack.
	Backend Backend
	// KinesisURL, S3URL and DynamoDBURL are the endpoints to give SDK
	// clients; "" on the external backend means AWS itself.
	KinesisURL  string
	S3URL       string
	DynamoDBURL string
	// EdgeURL is the shared endpoint when one serves every AWS service
	// (WithEdgeAddr, containers), else "".
	EdgeURL string
	// STSURL is the embedded STS endpoint (AssumeRole, GetCallerIdentity):
	// EdgeURL with WithEdgeAddr, else its own port; "" on other backends.
	// Requests signed with assumed-role credentials that have expired on
	// the stack's clock are refused only on the edge.
	STSURL string
	// Region is the AWS region of the endpoints.
	Region string
	// AWSConfig has the stack's region and credentials and resolves the
	// Kinesis, S3, DynamoDB and STS endpoints per service for clients built
	// with NewFromConfig. A process-wide AWS_ENDPOINT_URL without the
	// per-service variables takes precedence in the SDK; KinesisClient,
	// S3Client and DynamoDBClient are not affected by that.
	AWSConfig aws.Config
	// KafkaBrokers is the Kafka seed list.
	KafkaBrokers []string
	// Faults is the injector shared by the embedded emulators; nil on
	// other backends.
	Faults *fault.Injector

	kafka    *kafkafake.Server
	dynamodb *dynamodbfake.Server
	sts      *stsfake.Server

	closeOnce sync.Once
	closeErr  error
	closers   []func() error // run in reverse order
}

// Start starts a stack on the chosen backend. On error it has already closed
// whatever it started. The containers backend is available once package
// emulator/containers is imported.
func Start(ctx context.Context, opts ...Option) (*Stack, error) {
	o := options{getenv: os.Getenv, version: "dev", kafkaBroker: 1}
	for _, opt := range opts {
		if err := opt.apply(&o); err != nil {
			return nil, err
		}
	}
	if o.backend == "" {
		o.backend = Embedded
		if v := strings.ToLower(strings.TrimSpace(o.getenv(EnvBackend))); v != "" {
			if err := checkBackend(Backend(v)); err != nil {
				return nil, fmt.Errorf("%s: %w", EnvBackend, err)
			}
			o.backend = Backend(v)
		}
	}
	var (
		s   *Stack
		err error
	)
	switch o.backend {
	case Embedded:
		s, err = startEmbedded(o)
	case External:
		s, err = startExternal(ctx, o)
	default:
		start, _ := registered(o.backend) // checked by checkBackend
		s, err = start(ctx, BackendConfig{
			Region:          o.regionOr(DefaultRegion),
			LocalStackImage: o.lsImage,
			KafkaImage:      o.kafkaImage,
			Getenv:          o.getenv,
		})
		if err == nil && s.AWSConfig.Region == "" {
			s.AWSConfig = staticConfig(s.Region, s.KinesisURL, s.S3URL, s.DynamoDBURL)
		}
	}
	if err != nil {
		if s != nil {
			_ = s.Close() // the start error says more than a close error would
		}
		return nil, err
	}
	return s, nil
}

func (o *options) regionOr(def string) string {
	if o.region != "" {
		return o.region
	}
	return def
}

func startEmbedded(o options) (*Stack, error) {
	in := fault.New(o.seed)
	clk := o.clock
	if clk == nil {
		clk = clock.Real()
	}
	region := o.regionOr(DefaultRegion)
	s := &Stack{Backend: Embedded, Region: region, Faults: in}
	sub := func(name string) string {
		if o.dataDir == "" {
			return ""
		}
		return o.dataDir + string(os.PathSeparator) + name
	}

	kopts := []kinesisfake.Option{kinesisfake.WithClock(clk), kinesisfake.WithSeed(o.seed), kinesisfake.WithFaults(in), kinesisfake.WithRegion(region)}
	if d := sub("kinesis"); d != "" {
		kopts = append(kopts, kinesisfake.WithDataDir(d))
	}
	if o.kinLimits != nil {
		kopts = append(kopts, kinesisfake.WithLimits(*o.kinLimits))
	}
	kin, err := kinesisfake.New(kopts...)
	if err != nil {
		return s, fmt.Errorf("emulator: create kinesis: %w", err)
	}
	s.closers = append(s.closers, kin.Close)

	sopts := []s3fake.Option{s3fake.WithClock(clk), s3fake.WithSeed(o.seed), s3fake.WithFaults(in), s3fake.WithRegion(region)}
	if d := sub("s3"); d != "" {
		sopts = append(sopts, s3fake.WithDataDir(d))
	}
	s3s, err := s3fake.New(sopts...)
	if err != nil {
		return s, fmt.Errorf("emulator: create s3: %w", err)
	}
	s.closers = append(s.closers, s3s.Close)

	dopts := []dynamodbfake.Option{dynamodbfake.WithClock(clk), dynamodbfake.WithSeed(o.seed), dynamodbfake.WithFaults(in), dynamodbfake.WithRegion(region)}
	if d := sub("dynamodb"); d != "" {
		dopts = append(dopts, dynamodbfake.WithDataDir(d))
	}
	ddb, err := dynamodbfake.New(dopts...)
	if err != nil {
		return s, fmt.Errorf("emulator: create dynamodb: %w", err)
	}
	s.closers = append(s.closers, ddb.Close)
	s.dynamodb = ddb

	sts, err := stsfake.New(stsfake.WithClock(clk), stsfake.WithSeed(o.seed))
	if err != nil {
		return s, fmt.Errorf("emulator: create sts: %w", err)
	}
	s.closers = append(s.closers, sts.Close)
	s.sts = sts

	fopts := []kafkafake.Option{kafkafake.WithClock(clk), kafkafake.WithSeed(o.seed), kafkafake.WithFaults(in), kafkafake.WithBrokers(o.kafkaBroker)}
	if d := sub("kafka"); d != "" {
		fopts = append(fopts, kafkafake.WithDataDir(d))
	}
	if o.kafkaAddr != "" {
		fopts = append(fopts, kafkafake.WithAddr(o.kafkaAddr))
	}
	if o.kafkaAdv != "" {
		fopts = append(fopts, kafkafake.WithAdvertisedHost(o.kafkaAdv))
	}
	for _, t := range o.topics {
		fopts = append(fopts, kafkafake.WithTopic(t.name, t.partitions))
	}
	kf, err := kafkafake.New(fopts...)
	if err != nil {
		return s, fmt.Errorf("emulator: create kafka: %w", err)
	}
	if err := kf.Start(); err != nil {
		return s, fmt.Errorf("emulator: start kafka: %w", err)
	}
	s.closers = append(s.closers, kf.Close)
	s.kafka = kf
	s.KafkaBrokers = kf.Addrs()

	if o.edgeAddr != "" {
		url, closeEdge, err := serveEdge(o.edgeAddr, kin, s3s, ddb, sts, kf, in, o.version, s.KafkaBrokers)
		if err != nil {
			return s, err
		}
		s.closers = append(s.closers, closeEdge)
		s.EdgeURL, s.KinesisURL, s.S3URL, s.DynamoDBURL, s.STSURL = url, url, url, url, url
	} else {
		if err := kin.Start(); err != nil {
			return s, fmt.Errorf("emulator: start kinesis: %w", err)
		}
		if err := s3s.Start(); err != nil {
			return s, fmt.Errorf("emulator: start s3: %w", err)
		}
		if err := ddb.Start(); err != nil {
			return s, fmt.Errorf("emulator: start dynamodb: %w", err)
		}
		if err := sts.Start(); err != nil {
			return s, fmt.Errorf("emulator: start sts: %w", err)
		}
		s.KinesisURL, s.S3URL, s.DynamoDBURL, s.STSURL = kin.URL(), s3s.URL(), ddb.URL(), sts.URL()
	}
	s.AWSConfig = staticConfig(region, s.KinesisURL, s.S3URL, s.DynamoDBURL)
	if eps, ok := s.AWSConfig.ConfigSources[0].(serviceEndpoints); ok {
		eps["STS"] = s.STSURL // STS clients built from AWSConfig reach the embedded STS
	}
	return s, nil
}

// DynamoDB returns the embedded DynamoDB server, for SweepExpired (TTL
// deletion on the stack's clock); nil on other backends.
func (s *Stack) DynamoDB() *dynamodbfake.Server { return s.dynamodb }

// STS returns the embedded STS server, for Calls and Expired; nil on other
// backends.
func (s *Stack) STS() *stsfake.Server { return s.sts }

// Kafka returns the embedded Kafka server, for its cluster controls
// (MoveTopicPartition, RemoveNode, AddNode, ShufflePartitionLeaders); nil on
// other backends.
func (s *Stack) Kafka() *kafkafake.Server { return s.kafka }

// AddFault installs r in the stack's injector and returns its ID. It returns
// ErrFaultsUnavailable on the containers and external backends.
func (s *Stack) AddFault(r fault.Rule) (int, error) {
	if s.Faults == nil {
		return 0, fmt.Errorf("%w (this stack runs on %s)", ErrFaultsUnavailable, s.Backend)
	}
	if err := kafkafake.ValidateRule(r); err != nil {
		return 0, err
	}
	return s.Faults.Add(r)
}

// KinesisClient returns a Kinesis client for the stack's endpoint; optFns
// adjust it further.
func (s *Stack) KinesisClient(optFns ...func(*kinesis.Options)) *kinesis.Client {
	return kinesis.NewFromConfig(s.AWSConfig, append([]func(*kinesis.Options){func(o *kinesis.Options) {
		if s.KinesisURL != "" {
			o.BaseEndpoint = aws.String(s.KinesisURL)
		}
	}}, optFns...)...)
}

// S3Client returns an S3 client for the stack's endpoint, with path-style
// addressing on local endpoints; optFns adjust it further.
func (s *Stack) S3Client(optFns ...func(*s3.Options)) *s3.Client {
	return s3.NewFromConfig(s.AWSConfig, append([]func(*s3.Options){func(o *s3.Options) {
		if s.S3URL != "" {
			o.BaseEndpoint = aws.String(s.S3URL)
			o.UsePathStyle = s.Backend != External
		}
	}}, optFns...)...)
}

// DynamoDBClient returns a DynamoDB client for the stack's endpoint; optFns
// adjust it further.
func (s *Stack) DynamoDBClient(optFns ...func(*dynamodb.Options)) *dynamodb.Client {
	return dynamodb.NewFromConfig(s.AWSConfig, append([]func(*dynamodb.Options){func(o *dynamodb.Options) {
		if s.DynamoDBURL != "" {
			o.BaseEndpoint = aws.String(s.DynamoDBURL)
		}
	}}, optFns...)...)
}

// Env returns the environment, as KEY=value lines sorted by key, that points
// AWS SDKs, the AWS CLI and streamcheck at this stack: AWS_ENDPOINT_URL (when
// one endpoint serves every service) or AWS_ENDPOINT_URL_KINESIS,
// AWS_ENDPOINT_URL_S3 and AWS_ENDPOINT_URL_DYNAMODB, test credentials for local backends, AWS_REGION and
// AWS_DEFAULT_REGION, and STREAMCHECK_KAFKA_BROKERS.
func (s *Stack) Env() []string {
	m := map[string]string{}
	switch {
	case s.EdgeURL != "":
		m["AWS_ENDPOINT_URL"] = s.EdgeURL
	default:
		if s.KinesisURL != "" {
			m["AWS_ENDPOINT_URL_KINESIS"] = s.KinesisURL
		}
		if s.S3URL != "" {
			m["AWS_ENDPOINT_URL_S3"] = s.S3URL
		}
		if s.DynamoDBURL != "" {
			m["AWS_ENDPOINT_URL_DYNAMODB"] = s.DynamoDBURL
		}
		if s.STSURL != "" {
			m["AWS_ENDPOINT_URL_STS"] = s.STSURL
		}
	}
	if s.Backend != External {
		m["AWS_ACCESS_KEY_ID"] = TestAccessKeyID
		m["AWS_SECRET_ACCESS_KEY"] = TestSecretAccessKey
	}
	if s.Region != "" {
		m["AWS_REGION"] = s.Region
		m["AWS_DEFAULT_REGION"] = s.Region // the AWS CLI's name for it
	}
	if len(s.KafkaBrokers) > 0 {
		m[EnvKafkaBrokers] = strings.Join(s.KafkaBrokers, ",")
	}
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// Close stops everything the stack started, flushing data directories. It
// is safe to call more than once and returns the first error.
func (s *Stack) Close() error {
	s.closeOnce.Do(func() {
		for i := len(s.closers) - 1; i >= 0; i-- {
			if err := s.closers[i](); err != nil && s.closeErr == nil {
				s.closeErr = err
			}
		}
	})
	return s.closeErr
}

// serveEdge serves Kinesis, S3, DynamoDB and STS behind one edge router on
// addr.
func serveEdge(addr string, kin *kinesisfake.Server, s3s *s3fake.Server, ddb *dynamodbfake.Server, sts *stsfake.Server, kf *kafkafake.Server, in *fault.Injector, version string, brokers []string) (string, func() error, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("emulator: listen for edge on %s: %w", addr, err)
	}
	srv, err := newEdgeServer(kin, s3s, ddb, sts, kf, in, version, brokers)
	if err != nil {
		_ = ln.Close()
		return "", nil, err
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	return "http://" + dialAddr(ln.Addr()), func() error {
		err := srv.Close()
		if serveErr := <-served; serveErr != nil {
			err = errors.Join(err, serveErr) // the listener failed before Close
		}
		if err != nil {
			return fmt.Errorf("emulator: close edge: %w", err)
		}
		return nil
	}, nil
}

// dialAddr turns a listener address into one a client can dial: an
// unspecified host (0.0.0.0, ::) becomes 127.0.0.1.
func dialAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	host := tcp.IP.String()
	if tcp.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, fmt.Sprint(tcp.Port))
}
