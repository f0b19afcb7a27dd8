package benchfig

// Server CPU per operation: each emulator runs in a child process (the
// streamcheck binary again, started with ServeEnv set), so the CPU it spends
// serving the Go SDK is measured apart from the client's. The child reports
// its own CPU time (getrusage, microsecond precision) when asked on its
// standard input; a child that cannot report it yields a figure marked
// unmeasured rather than a number.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/streamcheck/streamcheck/emulator/dynamodbfake"
	"github.com/streamcheck/streamcheck/emulator/kinesisfake"
	"github.com/streamcheck/streamcheck/emulator/s3fake"
	"github.com/streamcheck/streamcheck/generators"
	"github.com/streamcheck/streamcheck/internal/cputime"
)

// ServeEnv names the environment variable that makes the streamcheck
// binary serve emulators for bench instead of running a command: its value
// is the service ("kinesis", "s3" or "dynamodb"), or "engine" for the engine
// group's emulators (the embedded stack and a Kinesis emulator with its
// limits off).
const ServeEnv = "STREAMCHECK_BENCH_SERVE"

// NoCPUEnv names the environment variable that, set to 1 in a serving
// child's environment, makes it answer that its CPU time is not measured,
// as on a platform without getrusage: it lets tests check how bench
// reports such a server.
const NoCPUEnv = "STREAMCHECK_BENCH_SERVE_NOCPU"

// ServeIfChild returns at once unless ServeEnv is set. Then it serves that
// emulator (limits off, in memory), prints its URL on standard output (for
// "engine": the Kinesis URL, the S3 URL and the region, on one line),
// answers each "cpu" line on standard input with the CPU time the process
// has used (nanoseconds, or "unmeasured"), and exits when standard input
// closes. The streamcheck binary calls it first thing, and so must the
// TestMain of tests that run bench.
func ServeIfChild() {
	svc := os.Getenv(ServeEnv)
	if svc == "" {
		return
	}
	if err := serveChild(svc, os.Getenv(NoCPUEnv) == "1", os.Stdin, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "streamcheck bench: serve %s: %v\n", svc, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// serveChild is ServeIfChild's work, on in and out.
func serveChild(svc string, noCPU bool, in io.Reader, out io.Writer) error {
	url, stop, err := startService(svc)
	if err != nil {
		return err
	}
	defer func() { _ = stop() }() // the process exits next
	if _, err := fmt.Fprintln(out, url); err != nil {
		return err
	}
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		if sc.Text() != "cpu" {
			continue
		}
		d, ok := cputime.Process()
		if !ok || noCPU {
			_, err = fmt.Fprintln(out, "unmeasured")
		} else {
			_, err = fmt.Fprintln(out, d.Nanoseconds())
		}
		if err != nil {
			return err
		}
	}
	return sc.Err()
}

// startService starts the emulator svc on a free local port.
func startService(svc string) (url string, stop func() error, err error) {
	type server interface {
		Start() error
		URL() string
		Close() error
	}
	var srv server
	switch svc {
	case "kinesis":
		srv, err = kinesisfake.New(kinesisfake.WithLimits(kinesisfake.Limits{}))
	case "s3":
		srv, err = s3fake.New()
	case "dynamodb":
		srv, err = dynamodbfake.New()
	case "engine":
		return startEngineEmulators()
	default:
		return "", nil, fmt.Errorf("unknown service %q (want kinesis, s3, dynamodb or engine)", svc)
	}
	if err != nil {
		return "", nil, err
	}
	if err := srv.Start(); err != nil {
		return "", nil, err
	}
	return srv.URL(), srv.Close, nil
}

// errUnmeasured says that a child's CPU time cannot be read.
var errUnmeasured = errors.New("the server process does not report its CPU time")

// serverChild is an emulator serving in a child process.
type serverChild struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
	url string
}

// startChild starts the streamcheck binary again as a server of svc.
func startChild(svc string) (*serverChild, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find the streamcheck binary: %w", err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), ServeEnv+"="+svc)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the %s server process: %w", svc, err)
	}
	c := &serverChild{cmd: cmd, in: in, out: bufio.NewReader(out)}
	line, err := c.out.ReadString('\n')
	if err == nil && !strings.HasPrefix(line, "http") {
		err = fmt.Errorf("got %q, want a URL", line)
	}
	if err != nil {
		_ = c.close()
		return nil, fmt.Errorf("read the %s server's URL: %w", svc, err)
	}
	c.url = strings.TrimSpace(line)
	return c, nil
}

// cpu asks the child for the CPU time it has used.
func (c *serverChild) cpu() (time.Duration, error) {
	if _, err := io.WriteString(c.in, "cpu\n"); err != nil {
		return 0, fmt.Errorf("ask the server for its CPU time: %w", err)
	}
	line, err := c.out.ReadString('\n')
	if err != nil {
		return 0, fmt.Errorf("read the server's CPU time: %w", err)
	}
	line = strings.TrimSpace(line)
	if line == "unmeasured" {
		return 0, errUnmeasured
	}
	ns, err := strconv.ParseInt(line, 10, 64)
	if err != nil || ns < 0 {
		return 0, fmt.Errorf("read the server's CPU time: got %q, want nanoseconds", line)
	}
	return time.Duration(ns), nil
}

// close ends the child and waits for it.
func (c *serverChild) close() error {
	_ = c.in.Close()
	return c.cmd.Wait()
}

// perOpCPU runs op one call at a time for d (and at least minOps times)
// and returns the child's CPU microseconds per call.
func perOpCPU(ctx context.Context, c *serverChild, d time.Duration, op func(ctx context.Context, i int) error) (float64, error) {
	const minOps = 20
	before, err := c.cpu()
	if err != nil {
		return 0, err
	}
	n := 0
	for deadline := time.Now().Add(d); n < minOps || time.Now().Before(deadline); n++ {
		if err := op(ctx, n); err != nil {
			return 0, err
		}
	}
	after, err := c.cpu()
	if err != nil {
		return 0, err
	}
	if after <= before {
		return 0, fmt.Errorf("the server's CPU time did not grow over %d calls (%v, then %v)", n, before, after)
	}
	return float64((after - before).Nanoseconds()) / 1000 / float64(n), nil
}

// cpuItem is one server CPU figure: its service, name, target, the set-up
// that precedes it and the operation it times.
type cpuItem struct {
	svc    string
	item   string
	target *target
	run    func(ctx context.Context, c *serverChild, awsCfg aws.Config, d time.Duration) (float64, error)
}

// serverCPUItems are the server CPU figures bench reports. The targets
// are 20 times less than the Node-based emulators measured the same way
// (kinesalite, s3rver: see the README), and ≤ 150 µs for the S3 PUT.
var serverCPUItems = []cpuItem{
	{"kinesis", "Kinesis PutRecords of 100 x 200 B, server CPU", atMost(410), kinesisPutCPU},
	{"kinesis", "Kinesis GetRecords of 100 x 200 B, server CPU", atMost(240), kinesisGetCPU},
	{"s3", "S3 PUT 64 KiB, server CPU", atMost(150), s3PutCPU},
	{"s3", "S3 GET 64 KiB, server CPU", atMost(110), s3GetCPU},
	{"dynamodb", "DynamoDB PutItem, server CPU", nil, ddbCPU("PutItem")},
	{"dynamodb", "DynamoDB GetItem, server CPU", nil, ddbCPU("GetItem")},
	{"dynamodb", "DynamoDB conditional UpdateItem, server CPU", nil, ddbCPU("UpdateItem")},
}

// cpuUnit is the unit of the server CPU figures.
const cpuUnit = "CPU-µs/op"

// serverCPU measures every server CPU item, one child process per item.
// An item whose server cannot be measured is reported with Unmeasured
// saying why; an item that fails otherwise stops the run.
func serverCPU(ctx context.Context, cfg Config, awsCfg aws.Config) ([]Figure, error) {
	var figs []Figure
	for _, it := range serverCPUItems {
		progress(cfg, "%s, server in a child process, for %v", it.item, cfg.Duration)
		v, err := measureItem(ctx, it, awsCfg, cfg.Duration)
		f := figure(GroupEmulator, it.item, v, cpuUnit, it.target)
		if err != nil {
			if !errors.Is(err, errUnmeasured) {
				return figs, fmt.Errorf("bench: %s: %w", it.item, err)
			}
			f = unmeasured(f, err)
		}
		figs = append(figs, f)
	}
	return figs, nil
}

// unmeasured marks f as not measured, for the reason err.
func unmeasured(f Figure, err error) Figure {
	f.Value, f.Unmeasured = 0, err.Error()
	if f.Met != nil {
		no := false
		f.Met = &no
	}
	return f
}

func measureItem(ctx context.Context, it cpuItem, awsCfg aws.Config, d time.Duration) (float64, error) {
	c, err := startChild(it.svc)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", errUnmeasured, err)
	}
	defer c.close()
	return it.run(ctx, c, awsCfg, d)
}

const cpuStream = "cpu"

func kinesisCPUClient(ctx context.Context, c *serverChild, awsCfg aws.Config) (*kinesis.Client, error) {
	kc := generators.NewKinesisClient(awsCfg, c.url)
	if err := generators.CreateKinesisStream(ctx, kc, nil, cpuStream, 1); err != nil {
		return nil, fmt.Errorf("create stream %s: %w", cpuStream, err)
	}
	return kc, nil
}

func kinesisPut(ctx context.Context, kc *kinesis.Client, batch []types.PutRecordsRequestEntry) error {
	out, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(cpuStream), Records: batch})
	if err != nil {
		return fmt.Errorf("bench: Kinesis PutRecords: %w", err)
	}
	if f := aws.ToInt32(out.FailedRecordCount); f != 0 {
		return fmt.Errorf("bench: Kinesis PutRecords: %d of %d records failed", f, len(batch))
	}
	return nil
}

func kinesisPutCPU(ctx context.Context, c *serverChild, awsCfg aws.Config, d time.Duration) (float64, error) {
	kc, err := kinesisCPUClient(ctx, c, awsCfg)
	if err != nil {
		return 0, err
	}
	batch := putEntries(100)
	return perOpCPU(ctx, c, d, func(ctx context.Context, _ int) error { return kinesisPut(ctx, kc, batch) })
}

func kinesisGetCPU(ctx context.Context, c *serverChild, awsCfg aws.Config, d time.Duration) (float64, error) {
	kc, err := kinesisCPUClient(ctx, c, awsCfg)
	if err != nil {
		return 0, err
	}
	batch := putEntries(100)
	for range 100 {
		if err := kinesisPut(ctx, kc, batch); err != nil {
			return 0, err
		}
	}
	var it *string
	return perOpCPU(ctx, c, d, func(ctx context.Context, _ int) error {
		if it == nil {
			out, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(cpuStream),
				ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
			if err != nil {
				return fmt.Errorf("bench: Kinesis GetShardIterator: %w", err)
			}
			it = out.ShardIterator
		}
		out, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it, Limit: aws.Int32(100)})
		if err != nil {
			return fmt.Errorf("bench: Kinesis GetRecords: %w", err)
		}
		it = out.NextShardIterator
		if len(out.Records) < 100 {
			it = nil // the end of what was written: start again
		}
		return nil
	})
}

const cpuKeys = 64

func objectBody() []byte { return bytes.Repeat([]byte("0123456789abcdef"), objectBytes/16) }

func s3CPUClient(ctx context.Context, c *serverChild, awsCfg aws.Config, body []byte) (*s3.Client, error) {
	sc := s3.NewFromConfig(awsCfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(c.url); o.UsePathStyle = true })
	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(cpuStream)}); err != nil {
		return nil, fmt.Errorf("bench: S3 CreateBucket: %w", err)
	}
	for i := range cpuKeys {
		if err := s3Put(ctx, sc, i, body); err != nil {
			return nil, err
		}
	}
	return sc, nil
}

func s3Put(ctx context.Context, sc *s3.Client, i int, body []byte) error {
	k := fmt.Sprintf("bench/%04d", i%cpuKeys)
	if _, err := sc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(cpuStream), Key: aws.String(k), Body: bytes.NewReader(body)}); err != nil {
		return fmt.Errorf("bench: S3 PutObject %s: %w", k, err)
	}
	return nil
}

func s3PutCPU(ctx context.Context, c *serverChild, awsCfg aws.Config, d time.Duration) (float64, error) {
	body := objectBody()
	sc, err := s3CPUClient(ctx, c, awsCfg, body)
	if err != nil {
		return 0, err
	}
	return perOpCPU(ctx, c, d, func(ctx context.Context, i int) error { return s3Put(ctx, sc, i, body) })
}

func s3GetCPU(ctx context.Context, c *serverChild, awsCfg aws.Config, d time.Duration) (float64, error) {
	sc, err := s3CPUClient(ctx, c, awsCfg, objectBody())
	if err != nil {
		return 0, err
	}
	return perOpCPU(ctx, c, d, func(ctx context.Context, i int) error {
		k := fmt.Sprintf("bench/%04d", i%cpuKeys)
		out, err := sc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(cpuStream), Key: aws.String(k)})
		if err != nil {
			return fmt.Errorf("bench: S3 GetObject %s: %w", k, err)
		}
		m, err := io.Copy(io.Discard, out.Body)
		out.Body.Close()
		if err != nil {
			return fmt.Errorf("bench: S3 GetObject %s: %w", k, err)
		}
		if m != objectBytes {
			return fmt.Errorf("bench: S3 GetObject %s: read %d of %d bytes", k, m, objectBytes)
		}
		return nil
	})
}

// ddbItems is how many items the DynamoDB table holds.
const ddbItems = 1000

func ddbItem(i int) map[string]ddbtypes.AttributeValue {
	return map[string]ddbtypes.AttributeValue{
		"pk":      &ddbtypes.AttributeValueMemberS{Value: fmt.Sprintf("user-%05d", i%ddbItems)},
		"sk":      &ddbtypes.AttributeValueMemberN{Value: "1"},
		"name":    &ddbtypes.AttributeValueMemberS{Value: "some name"},
		"count":   &ddbtypes.AttributeValueMemberN{Value: "0"},
		"payload": &ddbtypes.AttributeValueMemberS{Value: "0123456789abcdef0123456789abcdef"},
	}
}

func ddbKey(i int) map[string]ddbtypes.AttributeValue {
	it := ddbItem(i)
	return map[string]ddbtypes.AttributeValue{"pk": it["pk"], "sk": it["sk"]}
}

// ddbCPU returns the run of the DynamoDB item op (PutItem, GetItem or
// UpdateItem: a counter increment conditioned on the owner, as a lease
// renewal is) on a table of ddbItems items.
func ddbCPU(op string) func(ctx context.Context, c *serverChild, awsCfg aws.Config, d time.Duration) (float64, error) {
	return func(ctx context.Context, c *serverChild, awsCfg aws.Config, d time.Duration) (float64, error) {
		db := dynamodb.NewFromConfig(awsCfg, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(c.url) })
		if err := createCPUTable(ctx, db); err != nil {
			return 0, err
		}
		for i := range ddbItems {
			if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(cpuStream), Item: ddbItem(i)}); err != nil {
				return 0, fmt.Errorf("bench: DynamoDB PutItem: %w", err)
			}
		}
		return perOpCPU(ctx, c, d, func(ctx context.Context, i int) error {
			var err error
			switch op {
			case "PutItem":
				_, err = db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(cpuStream), Item: ddbItem(i)})
			case "GetItem":
				var out *dynamodb.GetItemOutput
				if out, err = db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(cpuStream), Key: ddbKey(i)}); err == nil && out.Item == nil {
					err = errors.New("no item")
				}
			default:
				_, err = db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(cpuStream), Key: ddbKey(i),
					UpdateExpression:         aws.String("SET #c = #c + :one, #o = :me"),
					ConditionExpression:      aws.String("attribute_exists(pk) AND (attribute_not_exists(#o) OR #o = :me)"),
					ExpressionAttributeNames: map[string]string{"#c": "count", "#o": "owner"},
					ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{
						":one": &ddbtypes.AttributeValueMemberN{Value: "1"}, ":me": &ddbtypes.AttributeValueMemberS{Value: "worker-1"}},
				})
			}
			if err != nil {
				return fmt.Errorf("bench: DynamoDB %s %d: %w", op, i, err)
			}
			return nil
		})
	}
}

func createCPUTable(ctx context.Context, db *dynamodb.Client) error {
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   aws.String(cpuStream),
		BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: ddbtypes.ScalarAttributeTypeN},
		},
		KeySchema: []ddbtypes.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: ddbtypes.KeyTypeRange},
		},
	})
	if err != nil {
		return fmt.Errorf("bench: DynamoDB CreateTable: %w", err)
	}
	for range 200 {
		out, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(cpuStream)})
		if err != nil {
			return fmt.Errorf("bench: DynamoDB DescribeTable: %w", err)
		}
		if out.Table.TableStatus == ddbtypes.TableStatusActive {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return errors.New("bench: DynamoDB table is not ACTIVE after 2 s")
}

// startEngineEmulators starts what the engine group reads from and writes
// to: the embedded stack (its S3) and a Kinesis emulator with its limits
// off. Its "URL" is the line "kinesis-url s3-url region".
func startEngineEmulators() (endpoints string, stop func() error, err error) {
	st, err := startStack(context.Background())
	if err != nil {
		return "", nil, fmt.Errorf("start embedded stack: %w", err)
	}
	kin, err := kinesisfake.New(kinesisfake.WithLimits(kinesisfake.Limits{}))
	if err == nil {
		err = kin.Start()
	}
	if err != nil {
		_ = st.Close()
		return "", nil, fmt.Errorf("start Kinesis emulator: %w", err)
	}
	return kin.URL() + " " + st.S3URL + " " + st.Region, func() error { return errors.Join(kin.Close(), st.Close()) }, nil
}
