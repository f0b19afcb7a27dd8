package dynamodbfake_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestLegacyParameters sends the parameters older clients (the KCL v1
// among them) use: AttributeUpdates, Expected, QueryFilter, ScanFilter and
// AttributesToGet.
func TestLegacyParameters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createTable(t, "leases", "sk")
	ctx := t.Context()
	for i := 0; i < 4; i++ {
		_, err := e.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("leases"), Key: item{"pk": s("shard"), "sk": n(fmt.Sprint(i))},
			AttributeUpdates: map[string]types.AttributeValueUpdate{
				"owner":   {Action: types.AttributeActionPut, Value: s(fmt.Sprintf("w%d", i%2))},
				"counter": {Action: types.AttributeActionAdd, Value: n("1")},
			},
			Expected: map[string]types.ExpectedAttributeValue{"owner": {Exists: aws.Bool(false)}}})
		if err != nil {
			t.Fatalf("UpdateItem with AttributeUpdates %d: %v", i, err)
		}
	}
	_, err := e.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("leases"), Key: item{"pk": s("shard"), "sk": n("0")},
		AttributeUpdates: map[string]types.AttributeValueUpdate{"owner": {Action: types.AttributeActionPut, Value: s("thief")}},
		Expected:         map[string]types.ExpectedAttributeValue{"owner": {Exists: aws.Bool(false)}}})
	wantErr(t, "taking a held lease", err, "ConditionalCheckFailedException", "The conditional request failed")
	q, err := e.db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("leases"),
		KeyConditions:   map[string]types.Condition{"pk": {ComparisonOperator: types.ComparisonOperatorEq, AttributeValueList: []types.AttributeValue{s("shard")}}},
		QueryFilter:     map[string]types.Condition{"owner": {ComparisonOperator: types.ComparisonOperatorEq, AttributeValueList: []types.AttributeValue{s("w1")}}},
		AttributesToGet: []string{"sk", "owner"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(sks(q.Items), ","); got != "1,3" || len(q.Items[0]) != 2 || q.ScannedCount != 4 {
		t.Errorf("Query with QueryFilter and AttributesToGet: got %v (scanned %d), want sk 1,3 with two attributes of 4 scanned", q.Items, q.ScannedCount)
	}
	sc, err := e.db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("leases"),
		ScanFilter: map[string]types.Condition{"counter": {ComparisonOperator: types.ComparisonOperatorEq, AttributeValueList: []types.AttributeValue{n("1")}}}})
	if err != nil || sc.Count != 4 {
		t.Errorf("Scan with ScanFilter: got %v %v, want 4 items", sc, err)
	}
	_, err = e.db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("leases"), KeyConditionExpression: aws.String("pk = :p"),
		ExpressionAttributeValues: item{":p": s("shard")}, AttributesToGet: []string{"sk"}})
	wantErr(t, "AttributesToGet with an expression", err, "ValidationException",
		"Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {KeyConditionExpression}")
}

// TestBatchGetSixteenMegabytes: answers stop at 16 MB, the rest of the keys
// come back unprocessed, and a retry of those gets them.
func TestBatchGetSixteenMegabytes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createTable(t, "large", "")
	v := strings.Repeat("v", 390*1024)
	var keys []item
	for i := 0; i < 50; i++ {
		k := fmt.Sprintf("k%02d", i)
		e.put(t, "large", item{"pk": s(k), "v": s(v)})
		keys = append(keys, item{"pk": s(k)})
	}
	got := 0
	rounds := 0
	req := map[string]types.KeysAndAttributes{"large": {Keys: keys}}
	for len(req) > 0 {
		out, err := e.db.BatchGetItem(t.Context(), &dynamodb.BatchGetItemInput{RequestItems: req})
		if err != nil {
			t.Fatal(err)
		}
		rounds++
		got += len(out.Responses["large"])
		if rounds == 1 && len(out.UnprocessedKeys["large"].Keys) == 0 {
			t.Fatalf("50 items of 390 KB: got all %d in one answer, want some unprocessed past 16 MB", got)
		}
		req = out.UnprocessedKeys
	}
	if got != 50 || rounds != 2 {
		t.Errorf("got %d items in %d rounds, want 50 in 2", got, rounds)
	}
}

// TestItemCollectionMetrics: writes to a table with a local secondary index
// report the item collection when asked.
func TestItemCollectionMetrics(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if _, err := e.db.CreateTable(t.Context(), gsiTableInput("orders")); err != nil {
		t.Fatal(err)
	}
	out, err := e.db.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String("orders"), Item: item{"pk": s("c"), "sk": n("1")},
		ReturnItemCollectionMetrics: types.ReturnItemCollectionMetricsSize, ReturnConsumedCapacity: types.ReturnConsumedCapacityIndexes})
	if err != nil {
		t.Fatal(err)
	}
	m := out.ItemCollectionMetrics
	if m == nil || str(m.ItemCollectionKey, "pk") != "c" || len(m.SizeEstimateRangeGB) != 2 {
		t.Errorf("ItemCollectionMetrics: got %+v", m)
	}
	if cc := out.ConsumedCapacity; cc == nil || cc.Table == nil || len(cc.GlobalSecondaryIndexes) != 0 {
		t.Errorf("INDEXES capacity of an item outside the sparse GSI: got %+v, want the table only", cc)
	}
	out, err = e.db.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String("orders"), Item: item{"pk": s("c"), "sk": n("2"), "g": s("x"), "lsk": s("y")},
		ReturnConsumedCapacity: types.ReturnConsumedCapacityIndexes})
	if err != nil {
		t.Fatal(err)
	}
	if cc := out.ConsumedCapacity; len(cc.GlobalSecondaryIndexes) != 1 || len(cc.LocalSecondaryIndexes) != 1 || aws.ToFloat64(cc.CapacityUnits) != 3 {
		t.Errorf("INDEXES capacity of an item in both indexes: got %+v, want 3 units over table, GSI and LSI", cc)
	}
}
