package dynamodbfake_test

// Server CPU per operation: the server runs in a child process (this test
// binary again), so the CPU it spends is measured apart from the SDK
// client's, beside dynalite (in memory) where `make peers` installed it.

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/streamcheck/streamcheck/emulator/dynamodbfake"
	"github.com/streamcheck/streamcheck/emulator/dynamodbfake/dynamodbfaketest"
	"github.com/streamcheck/streamcheck/internal/childbench"
)

const serveEnv = "DYNAMODBFAKE_SERVE_FOR_BENCHMARK"

func TestMain(m *testing.M) {
	childbench.ServeIfChild(serveEnv, func() (string, func() error, error) {
		srv, err := dynamodbfake.New()
		if err == nil {
			err = srv.Start()
		}
		if err != nil {
			return "", nil, err
		}
		return srv.URL(), srv.Close, nil
	})
	os.Exit(m.Run())
}

// BenchmarkServerCPU measures the server CPU of PutItem, GetItem, Query (a
// partition of 10 items) and a conditional UpdateItem (the shape of a lease
// or checkpoint update) on a table of 10,000 items, sent by the Go SDK one
// request at a time, reported as server-cpu-µs/op.
func BenchmarkServerCPU(b *testing.B) {
	servers := []struct {
		name  string
		start func(b *testing.B) *childbench.Child
	}{
		{"streamcheck", func(b *testing.B) *childbench.Child { return childbench.Start(b, serveEnv) }},
		{"dynalite", func(b *testing.B) *childbench.Child {
			return childbench.StartPeer(b, childbench.Peer(b, "dynalite"), "--port", "{port}", "--createTableMs", "0")
		}},
	}
	ops := []struct {
		name string
		call func(b *testing.B, db *dynamodb.Client, i int) error
	}{
		{"PutItem", func(b *testing.B, db *dynamodb.Client, i int) error {
			_, err := db.PutItem(b.Context(), &dynamodb.PutItemInput{TableName: aws.String("bench"), Item: benchItem(i % benchKeys)})
			return err
		}},
		{"GetItem", func(b *testing.B, db *dynamodb.Client, i int) error {
			it := benchItem(i % benchKeys)
			out, err := db.GetItem(b.Context(), &dynamodb.GetItemInput{TableName: aws.String("bench"), Key: item{"pk": it["pk"], "sk": it["sk"]}})
			if err == nil && out.Item == nil {
				err = fmt.Errorf("GetItem %d: no item", i)
			}
			return err
		}},
		{"Query", func(b *testing.B, db *dynamodb.Client, i int) error {
			out, err := db.Query(b.Context(), &dynamodb.QueryInput{TableName: aws.String("bench"), KeyConditionExpression: aws.String("pk = :p"),
				ExpressionAttributeValues: item{":p": s(fmt.Sprintf("user-%05d", i%1000))}})
			if err == nil && out.Count != 10 {
				err = fmt.Errorf("query got %d items, want 10", out.Count)
			}
			return err
		}},
		{"ConditionalUpdateItem", func(b *testing.B, db *dynamodb.Client, i int) error {
			it := benchItem(i % benchKeys)
			_, err := db.UpdateItem(b.Context(), &dynamodb.UpdateItemInput{TableName: aws.String("bench"), Key: item{"pk": it["pk"], "sk": it["sk"]},
				UpdateExpression: aws.String("SET #c = #c + :one, #o = :me"), ConditionExpression: aws.String("attribute_exists(pk) AND (attribute_not_exists(#o) OR #o = :me)"),
				ExpressionAttributeNames: map[string]string{"#c": "count", "#o": "owner"}, ExpressionAttributeValues: item{":one": n("1"), ":me": s("worker-1")}})
			return err
		}},
	}
	for _, server := range servers {
		for _, op := range ops {
			b.Run(server.name+"/"+op.name, func(b *testing.B) {
				srv := server.start(b)
				db := dynamodbfaketest.NewClient(srv.URL)
				createBenchTable(b, db)
				for i := range benchKeys {
					if _, err := db.PutItem(b.Context(), &dynamodb.PutItemInput{TableName: aws.String("bench"), Item: benchItem(i)}); err != nil {
						b.Fatal(err)
					}
				}
				b.ResetTimer()
				cpu0 := srv.CPU(b)
				for i := 0; i < b.N; i++ {
					if err := op.call(b, db, i); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				srv.ReportPerOp(b, cpu0)
			})
		}
	}
}

// createBenchTable makes the table benchItem's items go to and waits until
// it is ACTIVE (dynalite keeps a new table CREATING for a moment).
func createBenchTable(b *testing.B, db *dynamodb.Client) {
	b.Helper()
	_, err := db.CreateTable(b.Context(), &dynamodb.CreateTableInput{
		TableName:   aws.String("bench"),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeN},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	for range 200 {
		out, err := db.DescribeTable(b.Context(), &dynamodb.DescribeTableInput{TableName: aws.String("bench")})
		if err != nil {
			b.Fatal(err)
		}
		if out.Table.TableStatus == types.TableStatusActive {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	b.Fatal("table bench is not ACTIVE after 2 s")
}
