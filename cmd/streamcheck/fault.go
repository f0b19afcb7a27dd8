package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/streamcheck/streamcheck/emulator/edge"
	"github.com/streamcheck/streamcheck/emulator/fault"
)

func init() {
	register(&command{
		name:    "fault",
		example: "  streamcheck fault add --service s3 --operation PutObject --code SlowDown --status 503 --times 1\n  streamcheck fault list --json",
		summary: "Add, list and remove fault rules on a running 'streamcheck emulate'.",
		usage:   "fault add|list [--json]|rm|clear|kafka [--endpoint URL] [flags]",
		run:     runFault,
	})
}

// defaultFaultEndpoint is where fault looks when neither --endpoint nor
// AWS_ENDPOINT_URL is set: emulate's default edge port.
const defaultFaultEndpoint = "http://127.0.0.1:4566"

func runFault(ctx context.Context, e *env, args []string) error {
	c := commands["fault"]
	if len(args) == 0 {
		return usagef("missing subcommand: want add, list, rm, clear or kafka")
	}
	sub, args := args[0], args[1:]
	if sub == "-h" || sub == "-help" || sub == "--help" {
		printCommandHelp(e.stdout, c, flag.NewFlagSet("fault", flag.ContinueOnError))
		fmt.Fprintln(e.stdout, "\nSubcommands: add (install a rule), list, rm ID, clear, and")
		fmt.Fprintln(e.stdout, "kafka shuffle-leaders|move-partition|remove-node|add-node (change the Kafka cluster).")
		fmt.Fprintln(e.stdout, "Run 'streamcheck fault add -h' or 'streamcheck fault kafka -h' for their flags.")
		return flag.ErrHelp
	}
	fs := newFlagSet(c)
	def := e.getenv("AWS_ENDPOINT_URL")
	if def == "" {
		def = defaultFaultEndpoint
	}
	var asJSON *bool
	if sub == "list" {
		asJSON = fs.Bool("json", false, "print the rules as JSON")
	}
	endpoint := fs.String("endpoint", def, "edge URL of the running emulator (default $AWS_ENDPOINT_URL or "+defaultFaultEndpoint+")")
	var (
		r      fault.Rule
		action string
		delay  time.Duration
	)
	if sub == "add" {
		fs.StringVar(&r.Service, "service", "", "kinesis, s3, dynamodb or kafka (default: any)")
		fs.StringVar(&r.Operation, "operation", "", "operation to match, e.g. PutRecords, PutObject, Produce (default: any)")
		fs.StringVar(&r.Resource, "resource", "", "stream, bucket or topic to match (default: any)")
		fs.StringVar(&r.Shard, "shard", "", "Kinesis shard ID or Kafka partition to match (default: any)")
		fs.StringVar(&r.KeyPrefix, "key-prefix", "", "S3 key prefix to match")
		fs.StringVar(&action, "action", "", "error or drop (default: error when --code is given, else delay only)")
		fs.StringVar(&r.Code, "code", "", "error code: an AWS code (SlowDown, ProvisionedThroughputExceededException) or a Kafka error (NOT_LEADER_FOR_PARTITION)")
		fs.IntVar(&r.Status, "status", 0, "HTTP status of the AWS error (default 400)")
		fs.StringVar(&r.Message, "message", "", "error message")
		fs.DurationVar(&delay, "delay", 0, "hold matching requests this long, e.g. 500ms")
		fs.IntVar(&r.Times, "times", 0, "fire this many times, then expire (0: until removed)")
		fs.IntVar(&r.Skip, "skip", 0, "let this many matching requests through first")
		fs.Float64Var(&r.Probability, "probability", 0, "fire on this share of matching requests, from the emulator's seed (0: always)")
	}
	var (
		kafkaAction string
		ka          edge.KafkaAction
		node        int
	)
	if sub == "kafka" {
		if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
			kafkaAction, args = args[0], args[1:]
		}
		fs.StringVar(&ka.Topic, "topic", "", "topic (move-partition)")
		partition := fs.Int("partition", 0, "partition (move-partition)")
		fs.IntVar(&node, "node", -1, "broker node ID (move-partition, remove-node; add-node: -1 picks the next)")
		fs.IntVar(&ka.Port, "port", 0, "port of the added broker (add-node; 0 picks one)")
		if err := parseFlags(e, c, fs, args); err != nil {
			return err
		}
		ka.Partition, ka.Node = int32(*partition), int32(node)
		if kafkaAction == "" {
			return usagef("kafka wants an action: shuffle-leaders, move-partition, remove-node or add-node")
		}
		if fs.NArg() > 0 {
			return usagef("unexpected argument %q", fs.Arg(0))
		}
		if (kafkaAction == "remove-node" || kafkaAction == "move-partition") && node < 0 {
			return usagef("kafka %s needs --node", kafkaAction)
		}
		out, err := (&edge.Client{Endpoint: *endpoint}).Kafka(ctx, kafkaAction, ka)
		if err != nil {
			return err
		}
		if kafkaAction == "add-node" {
			fmt.Fprintf(e.stdout, "node %d on port %d\n", out.Node, out.Port)
		}
		return nil
	}
	if err := parseFlags(e, c, fs, args); err != nil {
		return err
	}
	cl := &edge.Client{Endpoint: *endpoint}
	switch sub {
	case "add":
		if fs.NArg() > 0 {
			return usagef("unexpected argument %q", fs.Arg(0))
		}
		r.Delay = delay
		switch {
		case action != "":
			r.Action = fault.Action(action)
		case r.Code != "":
			r.Action = fault.ActionError
		}
		if err := checkFaultNames(r); err != nil {
			return usagef("%v", err)
		}
		if err := r.Validate(); err != nil {
			return usagef("%v", err)
		}
		id, err := cl.AddFault(ctx, r)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d\n", id)
	case "list":
		if fs.NArg() > 0 {
			return usagef("unexpected argument %q", fs.Arg(0))
		}
		rules, err := cl.Faults(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(rules)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSERVICE\tOPERATION\tRESOURCE\tACTION\tCODE\tDELAY\tSEEN\tFIRED\tEXPIRED")
		for _, in := range rules {
			fr := in.Rule.FaultRule()
			action := string(fr.Action)
			if action == "" {
				action = "delay"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%v\t%d\t%d\t%t\n", in.ID, orAny(fr.Service), orAny(fr.Operation), orAny(fr.Resource), action, fr.Code, fr.Delay, in.Seen, in.Fired, in.Expired)
		}
		return tw.Flush()
	case "rm":
		if fs.NArg() != 1 {
			return usagef("rm wants one rule ID")
		}
		id, err := strconv.Atoi(fs.Arg(0))
		if err != nil {
			return usagef("rule ID %q: want a number", fs.Arg(0))
		}
		return cl.RemoveFault(ctx, id)
	case "clear":
		if fs.NArg() > 0 {
			return usagef("unexpected argument %q", fs.Arg(0))
		}
		return cl.ClearFaults(ctx)
	default:
		return usagef("unknown subcommand %q: want add, list, rm, clear or kafka", sub)
	}
	return nil
}

func orAny(s string) string {
	if s == "" {
		return "*"
	}
	return s
}
