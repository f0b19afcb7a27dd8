package kafkafake

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/emulator/fault"
	"github.com/streamcheck/streamcheck/emulator/internal/settings"
)

// Defaults for a Server.
const (
	// DefaultBrokers is how many brokers a Server runs unless WithBrokers
	// says otherwise. One broker means one port, which is what tools that
	// are given a single bootstrap address expect.
	DefaultBrokers = 1
	// DefaultPartitions is the partition count of topics created on demand.
	DefaultPartitions = 4
	// DefaultHost is the interface a Server listens on.
	DefaultHost = "127.0.0.1"
	// DefaultClusterID is the cluster ID metadata responses carry.
	DefaultClusterID = "streamcheck"
)

// ErrClosed is returned by Start after Close.
var ErrClosed = errors.New("kafkafake: server closed")

// ErrNotStarted is returned by the cluster helpers before Start.
var ErrNotStarted = errors.New("kafkafake: server not started")

// Server is an in-process Kafka cluster. Create it with New, then Start it.
// Its methods are safe for concurrent use.
type Server struct {
	cfg config

	mu      sync.Mutex
	cluster *kfake.Cluster
	closed  bool
	done    chan struct{}

	ctl controller
}

type config struct {
	// Common's Addr is read into host and port by WithAddr; Region and
	// AccountID are unused.
	settings.Common
	host       string
	port       int
	advertise  string
	brokers    int
	partitions int
	autoCreate bool
	topics     []topic
	clusterID  string
}

type topic struct {
	name       string
	partitions int32
}

// Option configures a Server in New. An invalid option makes New return its
// error.
type Option interface{ apply(*config) error }

type optionFunc func(*config) error

func (f optionFunc) apply(c *config) error { return f(c) }

// WithClock sets the clock that times fault delays. The default is
// clock.Real(). kfake's own timers do not follow it.
func WithClock(c clock.Clock) Option {
	return optionFunc(func(cfg *config) error { return cfg.SetClock(c) })
}

// WithFaults shares an injector with the server. The default is a new empty
// injector seeded from WithSeed; it is returned by Faults either way.
func WithFaults(in *fault.Injector) Option {
	return optionFunc(func(cfg *config) error { return cfg.SetFaults(in) })
}

// WithSeed sets the seed of the default fault injector. The default is 0.
func WithSeed(seed uint64) Option {
	return optionFunc(func(cfg *config) error { return cfg.SetSeed(seed) })
}

// WithDataDir keeps the cluster's topics, records and committed offsets in
// dir, so a Server started again on the same dir finds them. The default
// keeps everything in memory.
func WithDataDir(dir string) Option {
	return optionFunc(func(cfg *config) error { return cfg.SetDataDir(dir) })
}

// WithAddr sets the host and port of the first broker, e.g. "127.0.0.1:9092"
// or "0.0.0.0:9092". Port 0 (the default) picks a free port. Further brokers
// always listen on free ports of the same host.
func WithAddr(addr string) Option {
	return optionFunc(func(cfg *config) error {
		if err := cfg.SetAddr(addr); err != nil {
			return err
		}
		host, port, _ := net.SplitHostPort(addr) // SetAddr has checked it
		p, err := strconv.Atoi(port)
		if err != nil || p < 0 || p > 65535 {
			return fmt.Errorf("WithAddr(%q): port %q: want a number from 0 to 65535", addr, port)
		}
		if host == "" {
			host = "0.0.0.0"
		}
		cfg.host, cfg.port = host, p
		return nil
	})
}

// WithAdvertisedHost sets the host that metadata responses tell clients to
// connect to. The default is the listening host, or 127.0.0.1 when the
// server listens on every interface (0.0.0.0 or ::).
func WithAdvertisedHost(host string) Option {
	return optionFunc(func(cfg *config) error {
		if host == "" {
			return errors.New("WithAdvertisedHost: the host is empty")
		}
		cfg.advertise = host
		return nil
	})
}

// WithBrokers sets how many brokers the cluster starts with. The default is
// DefaultBrokers; RemoveNode and MoveTopicPartition need at least two.
func WithBrokers(n int) Option {
	return optionFunc(func(cfg *config) error {
		if n < 1 {
			return fmt.Errorf("WithBrokers %d: want at least 1", n)
		}
		cfg.brokers = n
		return nil
	})
}

// WithTopic creates topic name with the given number of partitions when the
// server starts. A topic already kept in the data directory is left as it is.
func WithTopic(name string, partitions int) Option {
	return optionFunc(func(cfg *config) error {
		if name == "" {
			return errors.New("WithTopic: empty topic name")
		}
		if partitions < 1 {
			return fmt.Errorf("WithTopic %q: %d partitions: want at least 1", name, partitions)
		}
		cfg.topics = append(cfg.topics, topic{name, int32(partitions)})
		return nil
	})
}

// WithDefaultPartitions sets the partition count of topics created on
// demand. The default is DefaultPartitions.
func WithDefaultPartitions(n int) Option {
	return optionFunc(func(cfg *config) error {
		if n < 1 {
			return fmt.Errorf("WithDefaultPartitions %d: want at least 1", n)
		}
		cfg.partitions = n
		return nil
	})
}

// WithoutAutoCreate makes requests for unknown topics fail with
// UNKNOWN_TOPIC_OR_PARTITION, as a broker with auto.create.topics.enable=false
// does. By default unknown topics are created on first use.
func WithoutAutoCreate() Option {
	return optionFunc(func(cfg *config) error { cfg.autoCreate = false; return nil })
}

// New returns a Server configured by opts. It does not listen until Start.
func New(opts ...Option) (*Server, error) {
	cfg := config{
		host:       DefaultHost,
		brokers:    DefaultBrokers,
		partitions: DefaultPartitions,
		autoCreate: true,
		clusterID:  DefaultClusterID,
	}
	for _, o := range opts {
		if err := o.apply(&cfg); err != nil {
			return nil, fmt.Errorf("kafkafake: %w", err)
		}
	}
	cfg.Defaults()
	if cfg.advertise == "" {
		cfg.advertise = cfg.host
		if ip := net.ParseIP(cfg.host); ip != nil && ip.IsUnspecified() {
			cfg.advertise = "127.0.0.1"
		}
	}
	s := &Server{cfg: cfg, done: make(chan struct{})}
	s.ctl.s = s
	return s, nil
}

// Start starts the brokers. It returns an error if a port is taken or the
// data directory cannot be read; calling it again after success does
// nothing.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return ErrClosed
	case s.cluster != nil:
		return nil
	}
	ports := make([]int, s.cfg.brokers)
	ports[0] = s.cfg.port
	opts := []kfake.Opt{
		kfake.Ports(ports...),
		kfake.ListenFn(s.listen),
		kfake.ClusterID(s.cfg.clusterID),
		kfake.DefaultNumPartitions(s.cfg.partitions),
	}
	if s.cfg.autoCreate {
		opts = append(opts, kfake.AllowAutoTopicCreation())
	}
	if s.cfg.DataDir != "" {
		opts = append(opts, kfake.DataDir(s.cfg.DataDir))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return fmt.Errorf("kafkafake: start cluster on %s: %w", net.JoinHostPort(s.cfg.host, strconv.Itoa(s.cfg.port)), err)
	}
	for _, t := range s.cfg.topics {
		if c.TopicInfo(t.name) != nil {
			continue
		}
		if err := c.CreateTopic(t.name, t.partitions, nil); err != nil {
			c.Close()
			return fmt.Errorf("kafkafake: create topic %q: %w", t.name, err)
		}
	}
	c.Control(s.ctl.control)
	s.cluster = c
	return nil
}

// listen opens a broker's listener on the configured host; kfake always asks
// for 127.0.0.1. The listener reports the advertised host as its address,
// which is what kfake puts in metadata responses.
func (s *Server) listen(network, address string) (net.Listener, error) {
	_, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen(network, net.JoinHostPort(s.cfg.host, port))
	if err != nil {
		return nil, err
	}
	return &brokerListener{Listener: ln, host: s.cfg.advertise, conns: make(map[net.Conn]struct{})}, nil
}

// brokerListener advertises the configured host and, when kfake closes it
// (RemoveNode, Close), also closes the connections it accepted, as a broker
// that goes down does. kfake alone would keep serving them.
type brokerListener struct {
	net.Listener
	host string

	mu     sync.Mutex
	closed bool
	conns  map[net.Conn]struct{}
}

func (l *brokerListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		c.Close()
		return nil, net.ErrClosed
	}
	tc := &trackedConn{Conn: c, l: l}
	l.conns[tc] = struct{}{}
	return tc, nil
}

func (l *brokerListener) Close() error {
	err := l.Listener.Close()
	l.mu.Lock()
	l.closed = true
	conns := l.conns
	l.conns = nil
	l.mu.Unlock()
	for c := range conns {
		c.(*trackedConn).Conn.Close()
	}
	return err
}

func (l *brokerListener) Addr() net.Addr {
	a := l.Listener.Addr()
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a
	}
	return advertisedAddr{net.JoinHostPort(l.host, strconv.Itoa(tcp.Port))}
}

type trackedConn struct {
	net.Conn
	l *brokerListener
}

func (c *trackedConn) Close() error {
	c.l.mu.Lock()
	delete(c.l.conns, c)
	c.l.mu.Unlock()
	return c.Conn.Close()
}

type advertisedAddr struct{ s string }

func (a advertisedAddr) Network() string { return "tcp" }
func (a advertisedAddr) String() string  { return a.s }

// Addrs returns the brokers' advertised host:port addresses, the seed list
// for clients. It is nil before Start and after Close.
func (s *Server) Addrs() []string {
	c := s.get()
	if c == nil {
		return nil
	}
	return c.ListenAddrs()
}

// Faults returns the server's fault injector.
func (s *Server) Faults() *fault.Injector { return s.cfg.Faults }

// Cluster returns the underlying kfake cluster, for the controls this
// package does not wrap; nil before Start and after Close.
func (s *Server) Cluster() *kfake.Cluster { return s.get() }

func (s *Server) get() *kfake.Cluster {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	return s.cluster
}

// Close stops the brokers, wakes requests held by fault delays and, with a
// data directory, flushes the cluster's state to it. It is safe to call more
// than once.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.done)
	c := s.cluster
	s.mu.Unlock()
	if c != nil {
		c.Close()
	}
	return nil
}
