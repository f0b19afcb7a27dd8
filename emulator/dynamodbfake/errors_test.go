package dynamodbfake_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestMoreErrors covers the error paths of the control plane, indexes and
// transactions the other tests do not.
func TestMoreErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	if _, err := e.db.CreateTable(ctx, gsiTableInput("orders")); err != nil {
		t.Fatal(err)
	}
	e.put(t, "orders", item{"pk": s("a"), "sk": n("1"), "s": s("text")})
	big := strings.Repeat("x", 300*1024)
	e.put(t, "orders", item{"pk": s("big"), "sk": n("1"), "v": s(big)})
	var many []types.TransactWriteItem
	for i := 0; i < 101; i++ {
		many = append(many, types.TransactWriteItem{Put: &types.Put{TableName: aws.String("orders"), Item: item{"pk": s(fmt.Sprint(i)), "sk": n("1")}}})
	}
	for _, tc := range []struct {
		name string
		call func() error
		code string
		msg  string
	}{
		{"GSI key of the wrong type", func() error {
			_, err := e.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders"), Item: item{"pk": s("a"), "sk": n("2"), "g": n("5")}})
			return err
		}, "ValidationException", "One or more parameter values were invalid: Type mismatch for Index Key g Expected: S Actual: N IndexName: by-g"},
		{"update past 400 KB", func() error {
			_, err := e.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("orders"), Key: item{"pk": s("big"), "sk": n("1")},
				UpdateExpression: aws.String("SET w = :w"), ExpressionAttributeValues: item{":w": s(big)}})
			return err
		}, "ValidationException", "Item size to update has exceeded the maximum allowed size"},
		{"101 transaction actions", func() error {
			_, err := e.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: many})
			return err
		}, "ValidationException", "1 validation error detected: Value '101' at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100, Member must have length greater than or equal to 1"},
		{"DeleteTable of a missing table", func() error {
			_, err := e.db.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("nope")})
			return err
		}, "ResourceNotFoundException", "Requested resource not found: Table: nope not found"},
		{"UpdateTable deleting a missing index", func() error {
			_, err := e.db.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("orders"),
				GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Delete: &types.DeleteGlobalSecondaryIndexAction{IndexName: aws.String("nope")}}}})
			return err
		}, "ResourceNotFoundException", "Requested resource not found: Index: nope not found"},
		{"UpdateTable with nothing to do", func() error {
			_, err := e.db.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("orders")})
			return err
		}, "ValidationException", ""},
		{"UpdateTimeToLive of a missing table", func() error {
			_, err := e.db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String("nope"),
				TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("x"), Enabled: aws.Bool(true)}})
			return err
		}, "ResourceNotFoundException", "Requested resource not found"},
		{"ALL_PROJECTED_ATTRIBUTES on the table", func() error {
			_, err := e.db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("orders"), Select: types.SelectAllProjectedAttributes,
				KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item{":p": s("a")}})
			return err
		}, "ValidationException", "One or more parameter values were invalid: Select type ALL_PROJECTED_ATTRIBUTES is supported only when Querying using an IndexName"},
		{"starting key of another partition", func() error {
			_, err := e.db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("orders"), ExclusiveStartKey: item{"pk": s("b"), "sk": n("1")},
				KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item{":p": s("a")}})
			return err
		}, "ValidationException", "The provided starting key is invalid: The provided key element does not match the schema"},
	} {
		t.Run(tc.name, func(t *testing.T) { wantErr(t, tc.name, tc.call(), tc.code, tc.msg) })
	}

	// An update that cannot be applied cancels a transaction with a
	// ValidationError reason.
	_, err := e.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String("orders"), Item: item{"pk": s("new"), "sk": n("1")}}},
		{Update: &types.Update{TableName: aws.String("orders"), Key: item{"pk": s("a"), "sk": n("1")}, UpdateExpression: aws.String("SET s = s + :one"),
			ExpressionAttributeValues: item{":one": n("1")}}},
	}})
	wantErr(t, "arithmetic on a string in a transaction", err, "TransactionCanceledException", "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ValidationError]")
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) || !strings.Contains(aws.ToString(tce.CancellationReasons[1].Message), "operand") {
		t.Errorf("ValidationError reason: got %+v, want AWS's message about the operand", tce)
	}
	if got := e.get(t, "orders", item{"pk": s("new"), "sk": n("1")}); got != nil {
		t.Errorf("the cancelled transaction's put: got %v, want nothing written", got)
	}
}
