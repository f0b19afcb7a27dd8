// Command streamcheck-emulator serves streamcheck's embedded emulators for
// containers: Kinesis, S3 and DynamoDB on one LocalStack-compatible edge port (4566 by
// default, with /_localstack/health and the /_streamcheck/faults API) and
// Kafka on its own port (9092). It is the entry point of the container image
// and builds without cgo, unlike the streamcheck command, which links DuckDB.
//
// It runs until SIGINT or SIGTERM, then closes the emulators, flushing the
// data directory when one is set.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/streamcheck/streamcheck/emulator"
)

// version is set at link time (-ldflags "-X main.version=v1.2.3").
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Getenv)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "streamcheck-emulator: %v\n", err)
		os.Exit(1)
	}
}

// envOr returns the environment variable name, or def when it is unset.
func envOr(getenv func(string) string, name, def string) string {
	if v := getenv(name); v != "" {
		return v
	}
	return def
}

func run(ctx context.Context, args []string, out io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("streamcheck-emulator", flag.ContinueOnError)
	host := fs.String("host", envOr(getenv, "STREAMCHECK_HOST", "0.0.0.0"), "interface to listen on ($STREAMCHECK_HOST)")
	port := fs.Int("port", 4566, "edge port serving Kinesis, S3 and DynamoDB")
	kafkaPort := fs.Int("kafka-port", 9092, "Kafka broker port")
	advertise := fs.String("kafka-advertise", getenv("STREAMCHECK_KAFKA_ADVERTISE"), "host Kafka clients are told to connect to ($STREAMCHECK_KAFKA_ADVERTISE; default 127.0.0.1)")
	dataDir := fs.String("data-dir", getenv("STREAMCHECK_DATA_DIR"), "keep data in this directory ($STREAMCHECK_DATA_DIR; default memory)")
	seed := fs.Uint64("seed", 0, "seed for the emulators and their faults")
	region := fs.String("region", envOr(getenv, "AWS_DEFAULT_REGION", emulator.DefaultRegion), "AWS region ($AWS_DEFAULT_REGION)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	opts := []emulator.Option{
		emulator.WithBackend(emulator.Embedded),
		emulator.WithEdgeAddr(net.JoinHostPort(*host, strconv.Itoa(*port))),
		emulator.WithKafkaAddr(net.JoinHostPort(*host, strconv.Itoa(*kafkaPort))),
		emulator.WithSeed(*seed),
		emulator.WithRegion(*region),
		emulator.WithVersion(version),
	}
	if *advertise != "" {
		opts = append(opts, emulator.WithKafkaAdvertisedHost(*advertise))
	}
	if *dataDir != "" {
		opts = append(opts, emulator.WithDataDir(*dataDir))
	}
	st, err := emulator.Start(ctx, opts...)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Kinesis, S3 and DynamoDB on %s, Kafka on %s\n", st.EdgeURL, strings.Join(st.KafkaBrokers, ","))
	// LocalStack prints this line when it serves; log-based wait
	// strategies written for LocalStack look for it.
	fmt.Fprintln(out, "Ready.")
	<-ctx.Done()
	return st.Close()
}
