package dynamodbfake_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/streamcheck/streamcheck/emulator/dynamodbfake"
	"github.com/streamcheck/streamcheck/emulator/fault"
)

func TestFaults(t *testing.T) {
	t.Parallel()
	in := fault.New(1)
	e := newEnv(t, dynamodbfake.WithFaults(in))
	e.createTable(t, "faulty", "")
	e.createTable(t, "healthy", "")
	ctx := t.Context()
	if e.srv.Faults() != in {
		t.Fatal("Faults: got another injector")
	}
	for _, r := range []fault.Rule{
		{Service: fault.ServiceDynamoDB, Operation: "PutItem", Resource: "faulty", Times: 1, Action: fault.ActionError, Code: "ProvisionedThroughputExceededException", Message: "slow down"},
		{Service: fault.ServiceDynamoDB, Operation: "GetItem", Resource: "faulty", Times: 1, Action: fault.ActionError, Code: "InternalServerError", Status: 500, Message: "boom"},
		{Service: fault.ServiceDynamoDB, Operation: "Query", Times: 1, Action: fault.ActionError, Code: "ServiceUnavailable", Status: 503, Message: "unavailable"},
		{Service: fault.ServiceDynamoDB, Operation: "DeleteItem", Times: 1, Action: fault.ActionDrop},
		{Service: fault.ServiceDynamoDB, Operation: "Scan", Times: 1, Delay: 50 * time.Millisecond},
	} {
		if _, err := in.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	e.put(t, "healthy", item{"pk": s("a")})
	_, err := e.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("faulty"), Item: item{"pk": s("a")}})
	wantErr(t, "injected throttle", err, "ProvisionedThroughputExceededException", "slow down")
	var pte *types.ProvisionedThroughputExceededException
	if !asErr(err, &pte) {
		t.Errorf("got %T, want *types.ProvisionedThroughputExceededException", err)
	}
	e.put(t, "faulty", item{"pk": s("a")}) // the rule fired once
	_, err = e.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("faulty"), Key: item{"pk": s("a")}})
	wantErr(t, "injected 500", err, "InternalServerError", "boom")
	_, err = e.db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("faulty"), KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item{":p": s("a")}})
	wantErr(t, "injected 503", err, "ServiceUnavailable", "unavailable")
	_, err = e.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("faulty"), Key: item{"pk": s("a")}})
	if err == nil {
		t.Error("dropped DeleteItem: got no error")
	}
	start := time.Now()
	if _, err := e.db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("faulty")}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("delayed Scan took %v, want at least 50ms", d)
	}
	for _, r := range in.Rules() {
		if r.Fired != 1 {
			t.Errorf("rule %d (%s): fired %d times, want 1", r.ID, r.Rule.Operation, r.Fired)
		}
	}
}

func TestThroughputEnforcement(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dynamodbfake.WithThroughputEnforcement())
	ctx := t.Context()
	if _, err := e.db.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("tight"),
		AttributeDefinitions:  []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:             []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
		ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(1), WriteCapacityUnits: aws.Int64(2)}}); err != nil {
		t.Fatal(err)
	}
	e.put(t, "tight", item{"pk": s("a")})
	e.put(t, "tight", item{"pk": s("b")})
	_, err := e.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("tight"), Item: item{"pk": s("c")}})
	wantErr(t, "third write in a second", err, "ProvisionedThroughputExceededException",
		"The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.")
	out, err := e.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"tight": {putReq(item{"pk": s("c")})}}})
	wantErr(t, "batch write with no capacity", err, "ProvisionedThroughputExceededException", "")
	_ = out
	e.clk.Advance(time.Second)
	e.put(t, "tight", item{"pk": s("c")})
	e.get(t, "tight", item{"pk": s("a")})
	_, err = e.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("tight"), Key: item{"pk": s("a")}})
	wantErr(t, "second read in a second", err, "ProvisionedThroughputExceededException", "")
}
