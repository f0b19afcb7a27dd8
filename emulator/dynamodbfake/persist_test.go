package dynamodbfake_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/streamcheck/streamcheck/emulator/dynamodbfake"
)

// TestDataDirAcrossRestarts writes in phases: create and write; reopen,
// check and change; reopen (after a torn tail) and check again.
func TestDataDirAcrossRestarts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	open := func() (*env, func()) {
		e := newEnv(t, dynamodbfake.WithDataDir(dir))
		return e, func() {
			if err := e.srv.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
		}
	}
	ctx := t.Context()

	// Phase 1.
	e, closeIt := open()
	if _, err := e.db.CreateTable(ctx, gsiTableInput("orders")); err != nil {
		t.Fatal(err)
	}
	e.createTable(t, "gone", "")
	for i := 0; i < 50; i++ {
		it := item{"pk": s(fmt.Sprintf("c%d", i%5)), "sk": n(fmt.Sprint(i)), "lsk": s("x")}
		if i%2 == 0 {
			it["g"] = s("even")
		}
		e.put(t, "orders", it)
	}
	if _, err := e.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("orders"), Key: item{"pk": s("c0"), "sk": n("0")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Update: &types.Update{TableName: aws.String("orders"), Key: item{"pk": s("c1"), "sk": n("1")}, UpdateExpression: aws.String("SET v = :v"), ExpressionAttributeValues: item{":v": s("tx")}}},
		{Put: &types.Put{TableName: aws.String("gone"), Item: item{"pk": s("p")}}},
	}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("gone")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.TagResource(ctx, &dynamodb.TagResourceInput{ResourceArn: aws.String("arn:aws:dynamodb:us-east-1:000000000000:table/orders"),
		Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}); err != nil {
		t.Fatal(err)
	}
	closeIt()

	// Phase 2.
	e, closeIt = open()
	check := func(phase string, wantItems int32) {
		t.Helper()
		out, err := e.db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("orders"), Select: types.SelectCount})
		if err != nil || out.Count != wantItems {
			t.Fatalf("%s: scan got %v %v, want %d items", phase, out, err, wantItems)
		}
		g, err := e.db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("orders"), IndexName: aws.String("by-g"), Select: types.SelectCount,
			KeyConditionExpression: aws.String("g = :g"), ExpressionAttributeValues: item{":g": s("even")}})
		if err != nil || g.Count != 24 {
			t.Fatalf("%s: GSI query got %v %v, want 24 items", phase, g, err)
		}
		if got := str(e.get(t, "orders", item{"pk": s("c1"), "sk": n("1")}), "v"); got != "tx" {
			t.Fatalf("%s: transaction's update got %q, want tx", phase, got)
		}
		if _, err := e.db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("gone")}); err == nil {
			t.Fatalf("%s: the deleted table is back", phase)
		}
		tags, err := e.db.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: aws.String("arn:aws:dynamodb:us-east-1:000000000000:table/orders")})
		if err != nil || len(tags.Tags) != 2 {
			t.Fatalf("%s: tags got %v %v, want team and k", phase, tags, err)
		}
	}
	check("after the first restart", 49)
	e.put(t, "orders", item{"pk": s("c9"), "sk": n("99")})
	closeIt()

	// A torn frame at the end, as a crash mid-write leaves: cut off on load.
	f, err := os.OpenFile(filepath.Join(dir, "dynamodb.log"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte{0, 0, 1, 0, 9, 9}); err != nil {
		t.Fatal(err)
	}
	f.Close()

	// Phase 3.
	e, closeIt = open()
	defer closeIt()
	check("after the second restart", 50)
}
