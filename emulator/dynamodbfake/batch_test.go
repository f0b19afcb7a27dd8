package dynamodbfake_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func putReq(it item) types.WriteRequest {
	return types.WriteRequest{PutRequest: &types.PutRequest{Item: it}}
}

func TestBatchWriteAndGet(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createTable(t, "batch-a", "")
	e.createTable(t, "batch-b", "sk")
	ctx := t.Context()
	var reqs []types.WriteRequest
	for i := 0; i < 20; i++ {
		reqs = append(reqs, putReq(item{"pk": s(fmt.Sprint(i)), "v": n(fmt.Sprint(i))}))
	}
	out, err := e.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
		"batch-a": reqs,
		"batch-b": {putReq(item{"pk": s("x"), "sk": n("1")}), putReq(item{"pk": s("x"), "sk": n("2")})},
	}, ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.UnprocessedItems) != 0 || len(out.ConsumedCapacity) != 2 {
		t.Errorf("BatchWriteItem: got unprocessed %v, capacity %v", out.UnprocessedItems, out.ConsumedCapacity)
	}
	if _, err := e.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
		"batch-a": {{DeleteRequest: &types.DeleteRequest{Key: item{"pk": s("0")}}}},
	}}); err != nil {
		t.Fatal(err)
	}
	var keys []item
	for i := 0; i < 5; i++ {
		keys = append(keys, item{"pk": s(fmt.Sprint(i))})
	}
	got, err := e.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
		"batch-a": {Keys: keys, ProjectionExpression: aws.String("v")},
		"batch-b": {Keys: []item{{"pk": s("x"), "sk": n("2")}}, ConsistentRead: aws.Bool(true)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if a := got.Responses["batch-a"]; len(a) != 4 || a[0]["pk"] != nil || a[0]["v"] == nil {
		t.Errorf("BatchGetItem batch-a: got %v, want 4 items (one deleted) with only v", a)
	}
	if len(got.Responses["batch-b"]) != 1 || len(got.UnprocessedKeys) != 0 {
		t.Errorf("BatchGetItem batch-b: got %v, unprocessed %v", got.Responses["batch-b"], got.UnprocessedKeys)
	}
	for _, tc := range []struct {
		name string
		call func() error
		code string
		msg  string
	}{
		{"26 writes", func() error {
			var r []types.WriteRequest
			for i := 0; i < 26; i++ {
				r = append(r, putReq(item{"pk": s(fmt.Sprint(i))}))
			}
			_, err := e.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"batch-a": r}})
			return err
		}, "ValidationException", "Too many items requested for the BatchWriteItem call"},
		{"duplicate writes", func() error {
			_, err := e.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"batch-a": {putReq(item{"pk": s("d")}), putReq(item{"pk": s("d")})}}})
			return err
		}, "ValidationException", "Provided list of item keys contains duplicates"},
		{"101 keys", func() error {
			var k []item
			for i := 0; i < 101; i++ {
				k = append(k, item{"pk": s(fmt.Sprint(i))})
			}
			_, err := e.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{"batch-a": {Keys: k}}})
			return err
		}, "ValidationException", "Too many items requested for the BatchGetItem call"},
		{"duplicate keys", func() error {
			_, err := e.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{"batch-a": {Keys: []item{{"pk": s("1")}, {"pk": s("1")}}}}})
			return err
		}, "ValidationException", "Provided list of item keys contains duplicates"},
		{"missing table", func() error {
			_, err := e.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{"nope": {Keys: []item{{"pk": s("1")}}}}})
			return err
		}, "ResourceNotFoundException", "Requested resource not found"},
	} {
		t.Run(tc.name, func(t *testing.T) { wantErr(t, tc.name, tc.call(), tc.code, tc.msg) })
	}
}

func TestTransactWriteItems(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createTable(t, "accounts", "")
	e.createTable(t, "ledger", "sk")
	ctx := t.Context()
	e.put(t, "accounts", item{"pk": s("alice"), "balance": n("100")})
	e.put(t, "accounts", item{"pk": s("bob"), "balance": n("0")})
	transfer := func(amount, token string) error {
		in := &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
			{Update: &types.Update{TableName: aws.String("accounts"), Key: item{"pk": s("alice")}, UpdateExpression: aws.String("SET balance = balance - :a"),
				ConditionExpression: aws.String("balance >= :a"), ExpressionAttributeValues: item{":a": n(amount)},
				ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld}},
			{Update: &types.Update{TableName: aws.String("accounts"), Key: item{"pk": s("bob")}, UpdateExpression: aws.String("SET balance = balance + :a"),
				ExpressionAttributeValues: item{":a": n(amount)}}},
			{Put: &types.Put{TableName: aws.String("ledger"), Item: item{"pk": s("t"), "sk": n(amount), "amount": n(amount)}}},
			{ConditionCheck: &types.ConditionCheck{TableName: aws.String("accounts"), Key: item{"pk": s("carol")}, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
		}}
		if token != "" {
			in.ClientRequestToken = aws.String(token)
		}
		_, err := e.db.TransactWriteItems(ctx, in)
		return err
	}
	if err := transfer("30", "tok-1"); err != nil {
		t.Fatal(err)
	}
	// The same token and request: success without a second transfer.
	if err := transfer("30", "tok-1"); err != nil {
		t.Fatalf("repeat with the same token: %v", err)
	}
	if got := num(e.get(t, "accounts", item{"pk": s("alice")}), "balance"); got != "70" {
		t.Fatalf("alice after one transfer (and its idempotent repeat): got %s, want 70", got)
	}
	err := transfer("31", "tok-1")
	wantErr(t, "same token, other request", err, "IdempotentParameterMismatchException", "")
	var ipm *types.IdempotentParameterMismatchException
	if !errors.As(err, &ipm) {
		t.Errorf("got %T, want *types.IdempotentParameterMismatchException", err)
	}
	// The token expires after 10 minutes on the clock.
	e.clk.Advance(11 * 60e9)
	if err := transfer("31", "tok-1"); err != nil {
		t.Fatalf("token reused after 11 minutes: %v", err)
	}
	err = transfer("500", "")
	wantErr(t, "overdraft", err, "TransactionCanceledException", "Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None, None, None]")
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) || len(tce.CancellationReasons) != 4 {
		t.Fatalf("got %#v, want TransactionCanceledException with 4 reasons", err)
	}
	r0 := tce.CancellationReasons[0]
	if aws.ToString(r0.Code) != "ConditionalCheckFailed" || aws.ToString(r0.Message) != "The conditional request failed" || num(r0.Item, "balance") != "39" {
		t.Errorf("reason 0: got %s %q %v, want ConditionalCheckFailed with alice's item", aws.ToString(r0.Code), aws.ToString(r0.Message), r0.Item)
	}
	if aws.ToString(tce.CancellationReasons[1].Code) != "None" {
		t.Errorf("reason 1: got %s, want None", aws.ToString(tce.CancellationReasons[1].Code))
	}
	if got := num(e.get(t, "accounts", item{"pk": s("bob")}), "balance"); got != "61" {
		t.Errorf("bob after a cancelled transfer: got %s, want 61 (nothing applied)", got)
	}
	_, err = e.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Delete: &types.Delete{TableName: aws.String("accounts"), Key: item{"pk": s("bob")}}},
		{ConditionCheck: &types.ConditionCheck{TableName: aws.String("accounts"), Key: item{"pk": s("bob")}, ConditionExpression: aws.String("attribute_exists(pk)")}},
	}})
	wantErr(t, "two actions on one item", err, "ValidationException", "Transaction request cannot include multiple operations on one item")

	got, err := e.db.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{
		{Get: &types.Get{TableName: aws.String("accounts"), Key: item{"pk": s("alice")}}},
		{Get: &types.Get{TableName: aws.String("accounts"), Key: item{"pk": s("nobody")}}},
		{Get: &types.Get{TableName: aws.String("ledger"), Key: item{"pk": s("t"), "sk": n("30")}, ProjectionExpression: aws.String("amount")}},
	}, ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
	if err != nil {
		t.Fatal(err)
	}
	if num(got.Responses[0].Item, "balance") != "39" || got.Responses[1].Item != nil || len(got.Responses[2].Item) != 1 {
		t.Errorf("TransactGetItems: got %v", got.Responses)
	}
	if len(got.ConsumedCapacity) != 2 {
		t.Errorf("TransactGetItems capacity: got %v, want one entry per table", got.ConsumedCapacity)
	}
}
