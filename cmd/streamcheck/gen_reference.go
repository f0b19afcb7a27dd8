package main

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

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
	var opts []generators.WriteOption
	var l *generators.Ledger
	if *ledger != "" {
		if l, err = generators.CreateLedger(*ledger); err != nil {
			return err
		}
		opts = append(opts, generators.WithWriteLedger(l, generators.ReferenceKeyColumn))
	}
	stats, werr := generators.WriteItems(ctx, client, table, generators.VentilatorReference(), opts...)
	if l != nil {
		if err := l.Close(); err != nil && werr == nil {
			werr = fmt.Errorf("write ledger %s: %w", *ledger, err)
		}
	}
	if werr != nil {
		return werr
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"table": table, "items": stats.Items, "requests": stats.Requests,
			"unprocessed_retried": stats.Unprocessed, "ledger": *ledger})
	}
	fmt.Fprintf(e.stdout, "reference: %d items to dynamodb://%s in %d requests (%d unprocessed items retried)\n",
		stats.Items, table, stats.Requests, stats.Unprocessed)
	if *ledger != "" {
		fmt.Fprintf(e.stdout, "ledger: %s\n", *ledger)
	}
	return nil
}
