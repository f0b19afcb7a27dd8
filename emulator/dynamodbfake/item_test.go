package dynamodbfake_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestPutGetDelete(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createTable(t, "items", "sk")
	it := item{"pk": s("a"), "sk": n("1"), "v": s("hello"), "bin": b([]byte{1, 2, 3}), "ok": bl(true),
		"l": &types.AttributeValueMemberL{Value: []types.AttributeValue{n("1.50"), s("x")}},
		"m": &types.AttributeValueMemberM{Value: item{"in": n("2")}}, "ss": &types.AttributeValueMemberSS{Value: []string{"b", "a"}}}
	e.put(t, "items", it)
	got := e.get(t, "items", item{"pk": s("a"), "sk": n("1")})
	if str(got, "v") != "hello" {
		t.Fatalf("GetItem: got %v, want v=hello", got)
	}
	if l := got["l"].(*types.AttributeValueMemberL).Value; num(item{"x": l[0]}, "x") != "1.5" {
		t.Errorf("number in a list: got %v, want canonical 1.5", l[0])
	}
	if got := e.get(t, "items", item{"pk": s("a"), "sk": n("2")}); got != nil {
		t.Errorf("GetItem of a missing item: got %v, want no Item", got)
	}
	out, err := e.db.DeleteItem(t.Context(), &dynamodb.DeleteItemInput{TableName: aws.String("items"), Key: item{"pk": s("a"), "sk": n("1")}, ReturnValues: types.ReturnValueAllOld})
	if err != nil {
		t.Fatal(err)
	}
	if str(out.Attributes, "v") != "hello" {
		t.Errorf("DeleteItem ALL_OLD: got %v", out.Attributes)
	}
	if got := e.get(t, "items", item{"pk": s("a"), "sk": n("1")}); got != nil {
		t.Errorf("GetItem after DeleteItem: got %v, want none", got)
	}
}

func TestItemErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createTable(t, "items", "sk")
	ctx := t.Context()
	big := strings.Repeat("x", 400*1024)
	for _, tc := range []struct {
		name string
		call func() error
		code string
		msg  string
	}{
		{"missing table", func() error {
			_, err := e.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("nope"), Key: item{"pk": s("a")}})
			return err
		}, "ResourceNotFoundException", "Requested resource not found"},
		{"key missing its sort key", func() error {
			_, err := e.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("items"), Key: item{"pk": s("a")}})
			return err
		}, "ValidationException", "One of the required keys was not given a value"},
		{"key of the wrong type", func() error {
			_, err := e.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("items"), Key: item{"pk": s("a"), "sk": s("1")}})
			return err
		}, "ValidationException", "The provided key element does not match the schema"},
		{"key with an extra attribute", func() error {
			_, err := e.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("items"), Key: item{"pk": s("a"), "sk": n("1"), "x": s("y")}})
			return err
		}, "ValidationException", "The provided key element does not match the schema"},
		{"item without its key", func() error {
			_, err := e.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("items"), Item: item{"pk": s("a")}})
			return err
		}, "ValidationException", "One or more parameter values were invalid: Missing the key sk in the item"},
		{"item key of the wrong type", func() error {
			_, err := e.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("items"), Item: item{"pk": n("1"), "sk": n("1")}})
			return err
		}, "ValidationException", "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"},
		{"empty string key", func() error {
			_, err := e.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("items"), Item: item{"pk": s(""), "sk": n("1")}})
			return err
		}, "ValidationException", "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"},
		{"item over 400 KB", func() error {
			_, err := e.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("items"), Item: item{"pk": s("a"), "sk": n("1"), "v": s(big)}})
			return err
		}, "ValidationException", "Item size has exceeded the maximum allowed size"},
		{"ALL_NEW on PutItem", func() error {
			_, err := e.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("items"), Item: item{"pk": s("a"), "sk": n("1")}, ReturnValues: types.ReturnValueAllNew})
			return err
		}, "ValidationException", "Return values set to invalid value"},
		{"expression and legacy parameters", func() error {
			_, err := e.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("items"), Item: item{"pk": s("a"), "sk": n("1")},
				ConditionExpression: aws.String("attribute_not_exists(pk)"),
				Expected:            map[string]types.ExpectedAttributeValue{"pk": {Exists: aws.Bool(false)}}})
			return err
		}, "ValidationException", "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}"},
		{"unused placeholder", func() error {
			_, err := e.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("items"), Item: item{"pk": s("a"), "sk": n("1")},
				ConditionExpression:       aws.String("attribute_not_exists(pk)"),
				ExpressionAttributeValues: item{":v": s("x")}})
			return err
		}, "ValidationException", "Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}"},
		{"updating a key attribute", func() error {
			_, err := e.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("items"), Key: item{"pk": s("a"), "sk": n("1")},
				UpdateExpression: aws.String("SET pk = :v"), ExpressionAttributeValues: item{":v": s("b")}})
			return err
		}, "ValidationException", "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, tc.name, tc.call(), tc.code, tc.msg)
		})
	}
}

func TestConditionalWrites(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createTable(t, "cond", "")
	ctx := t.Context()
	put := func(v string) error {
		_, err := e.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("cond"), Item: item{"pk": s("k"), "v": s(v)},
			ConditionExpression: aws.String("attribute_not_exists(pk)"), ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld})
		return err
	}
	if err := put("first"); err != nil {
		t.Fatalf("first conditional put: %v", err)
	}
	err := put("second")
	wantErr(t, "second conditional put", err, "ConditionalCheckFailedException", "The conditional request failed")
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) || str(ccf.Item, "v") != "first" {
		t.Fatalf("ConditionalCheckFailedException: got %#v, want the item with v=first", err)
	}
	// A counter with a guard.
	for i := 0; i < 3; i++ {
		_, err := e.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("cond"), Key: item{"pk": s("k")},
			UpdateExpression: aws.String("ADD n :one"), ConditionExpression: aws.String("attribute_not_exists(n) OR n < :max"),
			ExpressionAttributeValues: item{":one": n("1"), ":max": n("2")}})
		if i < 2 && err != nil {
			t.Fatalf("update %d: %v", i, err)
		}
		if i == 2 {
			wantErr(t, "update past the guard", err, "ConditionalCheckFailedException", "The conditional request failed")
		}
	}
	if got := num(e.get(t, "cond", item{"pk": s("k")}), "n"); got != "2" {
		t.Errorf("counter: got %s, want 2", got)
	}
	// Legacy Expected.
	_, err = e.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("cond"), Key: item{"pk": s("k")},
		Expected: map[string]types.ExpectedAttributeValue{"v": {Value: s("other")}}})
	wantErr(t, "delete with a failing Expected", err, "ConditionalCheckFailedException", "The conditional request failed")
	_, err = e.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("cond"), Key: item{"pk": s("k")},
		Expected: map[string]types.ExpectedAttributeValue{"v": {Value: s("first")}}})
	if err != nil {
		t.Fatalf("delete with a passing Expected: %v", err)
	}
}

func TestUpdateReturnValues(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createTable(t, "upd", "")
	e.put(t, "upd", item{"pk": s("k"), "a": n("1"), "b": s("keep")})
	for _, tc := range []struct {
		rv   types.ReturnValue
		want map[string]string // attribute -> N value, "" for absent
	}{
		{types.ReturnValueNone, nil},
		{types.ReturnValueAllOld, map[string]string{"a": "2", "pk": "k"}},
		{types.ReturnValueUpdatedOld, map[string]string{"a": "3"}},
		{types.ReturnValueAllNew, map[string]string{"a": "5", "pk": "k"}},
		{types.ReturnValueUpdatedNew, map[string]string{"a": "6"}},
	} {
		out, err := e.db.UpdateItem(t.Context(), &dynamodb.UpdateItemInput{TableName: aws.String("upd"), Key: item{"pk": s("k")},
			UpdateExpression: aws.String("SET a = a + :one"), ExpressionAttributeValues: item{":one": n("1")}, ReturnValues: tc.rv})
		if err != nil {
			t.Fatalf("%s: %v", tc.rv, err)
		}
		if tc.want == nil {
			if len(out.Attributes) != 0 {
				t.Errorf("%s: got %v, want no attributes", tc.rv, out.Attributes)
			}
			continue
		}
		for k, v := range tc.want {
			got := num(out.Attributes, k)
			if k == "pk" {
				got = str(out.Attributes, k)
			}
			if got != v {
				t.Errorf("%s: attribute %s got %q, want %q (all: %v)", tc.rv, k, got, v, out.Attributes)
			}
		}
		if _, has := out.Attributes["b"]; has && (tc.rv == types.ReturnValueUpdatedOld || tc.rv == types.ReturnValueUpdatedNew) {
			t.Errorf("%s: got untouched attribute b", tc.rv)
		}
	}
	// UpdateItem on a missing item creates it.
	if _, err := e.db.UpdateItem(t.Context(), &dynamodb.UpdateItemInput{TableName: aws.String("upd"), Key: item{"pk": s("new")},
		UpdateExpression: aws.String("SET c = :c"), ExpressionAttributeValues: item{":c": s("x")}}); err != nil {
		t.Fatal(err)
	}
	if got := e.get(t, "upd", item{"pk": s("new")}); str(got, "c") != "x" || str(got, "pk") != "new" {
		t.Errorf("upsert: got %v", got)
	}
}

func TestConsumedCapacity(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createTable(t, "cap", "")
	ctx := t.Context()
	v := strings.Repeat("x", 5000) // ~5 KB: 5 write units, 2 read units
	out, err := e.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("cap"), Item: item{"pk": s("k"), "v": s(v)}, ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToFloat64(out.ConsumedCapacity.CapacityUnits); got != 5 {
		t.Errorf("PutItem of %d bytes: got %v write units, want 5", len(v)+3, got)
	}
	for _, tc := range []struct {
		consistent bool
		want       float64
	}{{true, 2}, {false, 1}} {
		g, err := e.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("cap"), Key: item{"pk": s("k")}, ConsistentRead: aws.Bool(tc.consistent), ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToFloat64(g.ConsumedCapacity.CapacityUnits); got != tc.want {
			t.Errorf("GetItem consistent=%v: got %v units, want %v", tc.consistent, got, tc.want)
		}
	}
	g, err := e.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("cap"), Key: item{"pk": s("missing")}, ReturnConsumedCapacity: types.ReturnConsumedCapacityIndexes})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToFloat64(g.ConsumedCapacity.CapacityUnits); got != 0.5 || g.ConsumedCapacity.Table == nil {
		t.Errorf("GetItem of a missing item, INDEXES: got %v units, table %v; want 0.5 and a Table entry", got, g.ConsumedCapacity.Table)
	}
}
