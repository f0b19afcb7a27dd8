package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/streamcheck/streamcheck/generators"
)

// genReferenceUsage is the synopsis of gen reference, part of gen's usage.
const genReferenceUsage = "gen reference --to dynamodb://TABLE [--create] [--endpoint URL] [--ledger FILE.jsonl|FILE.parquet] [--json]"

// ddbTableName matches DynamoDB table names.
var ddbTableName = regexp.MustCompile(`^[a-zA-Z0-9_.-]{3,255}$`)

// runGenReference seeds the ventilator normal-ranges reference table (the
// one the aggregation job reads with dynamodb.input.tableName) into a
// DynamoDB table, optionally creating it keyed by ventilatorid (N), and
// writes a ledger row per item.
func runGenReference(ctx context.Context, e *env, args []string) error {
	c := commands["gen"]
	fs := newFlagSet(c)
	to := fs.String("to", "", "target: dynamodb://TABLE (required)")
	create := fs.Bool("create", false, "create the table first, keyed by "+generators.ReferenceKeyColumn+" (N); an existing one is kept")
	endpoint := fs.String("endpoint", "", "DynamoDB endpoint URL; default from AWS_ENDPOINT_URL_DYNAMODB or AWS_ENDPOINT_URL, else AWS")
	ledger := fs.String("ledger", "", "write the ledger here: .jsonl or .parquet")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	if err := parseFlags(e, c, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	table, ok := strings.CutPrefix(*to, "dynamodb://")
	switch {
	case *to == "":
		return usagef("--to is required: dynamodb://TABLE")
	case !ok || !ddbTableName.MatchString(table):
		return usagef("--to %q: want dynamodb://TABLE, a table name of 3 to 255 letters, digits, underscores, dashes and dots", *to)
	}
	if *ledger != "" {
		if _, err := generators.LedgerFormat(*ledger); err != nil {
			return usagef("--ledger: %v", err)
		}
	}
	client, err := dynamoDBClient(ctx, e, *endpoint)
	if err != nil {
		return err
	}
	if *create {
		if err := generators.CreateTable(ctx, client, nil, table, generators.ReferenceKeyColumn, types.ScalarAttributeTypeN); err != nil {
			return err
		}
	}
	return writeItems(ctx, e, client, table, generators.ReferenceKeyColumn, generators.VentilatorReference(), *ledger, *asJSON)
}

// writeItems puts items into table with a ledger row per item (keyed by
// keyColumn) when ledger is set, and prints the summary.
func writeItems(ctx context.Context, e *env, client *dynamodb.Client, table, keyColumn string, items []generators.Item, ledger string, asJSON bool) error {
	var opts []generators.WriteOption
	var l *generators.Ledger
	var err error
	if ledger != "" {
		if l, err = generators.CreateLedger(ledger); err != nil {
			return err
		}
		opts = append(opts, generators.WithWriteLedger(l, keyColumn))
	}
	stats, werr := generators.WriteItems(ctx, client, table, items, opts...)
	if l != nil {
		if err := l.Close(); err != nil && werr == nil {
			werr = fmt.Errorf("write ledger %s: %w", ledger, err)
		}
	}
	if werr != nil {
		return werr
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"table": table, "items": stats.Items, "requests": stats.Requests,
			"unprocessed_retried": stats.Unprocessed, "ledger": ledger})
	}
	fmt.Fprintf(e.stdout, "%d items to dynamodb://%s in %d requests (%d unprocessed items retried)\n",
		stats.Items, table, stats.Requests, stats.Unprocessed)
	if ledger != "" {
		fmt.Fprintf(e.stdout, "ledger: %s\n", ledger)
	}
	return nil
}

// validateDynamoDB checks the flags of gen with a dynamodb:// target: a
// table gets one item per record, so every record must be a well-formed
// JSON object with a key of its own, and there is no stream to pace.
func (c *genConfig) validateDynamoDB(table string) error {
	switch {
	case !ddbTableName.MatchString(table):
		return fmt.Errorf("--to %q: want dynamodb://TABLE, a table name of 3 to 255 letters, digits, underscores, dashes and dots", c.To)
	case c.Format != "json":
		return fmt.Errorf("--format %s with dynamodb://: items are built from JSON records; use --format json", c.Format)
	case c.Malformed > 0 || c.Duplicates > 0:
		return errors.New("--malformed and --duplicates do not apply to dynamodb:// (a malformed record is no item; a duplicate overwrites its key)")
	case c.setDuration:
		return errors.New("--duration does not apply to dynamodb://; give --count")
	case c.Count <= 0:
		return fmt.Errorf("--count %d: want a positive number of items", c.Count)
	case c.Brokers != "" || c.Partitions > 0 || c.Ordered || c.KPLAggregate != 0:
		return errors.New("--brokers, --partitions, --ordered and --kpl-aggregate do not apply to dynamodb://")
	}
	return nil
}

// genItems writes count records of the data set as items of a DynamoDB
// table (gen DATASET --to dynamodb://TABLE), creating it with --create keyed
// by the data set's key column, with a ledger row per item.
func genItems(ctx context.Context, e *env, cfg *genConfig, ds *generators.Dataset) error {
	table := strings.TrimPrefix(cfg.To, "dynamodb://")
	start, _ := cfg.startTime(time.Time{})
	src, err := generators.NewSource(generators.SourceConfig{Dataset: ds, Seed: cfg.Seed, Start: start, Late: cfg.Late, MaxLateness: cfg.MaxLateness})
	if err != nil {
		return usagef("%v", err)
	}
	items, err := generators.SourceItems(src, cfg.Count)
	if err != nil {
		return err
	}
	keyType, err := generators.KeyAttributeType(ds)
	if err != nil {
		return usagef("--key: %v", err)
	}
	client, err := dynamoDBClient(ctx, e, cfg.Endpoint)
	if err != nil {
		return err
	}
	if cfg.Create {
		if err := generators.CreateTable(ctx, client, nil, table, ds.Key, keyType); err != nil {
			return err
		}
	}
	return writeItems(ctx, e, client, table, ds.Key, items, cfg.Ledger, cfg.JSON)
}
