package dynamodbfake_test

import (
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/emulator/dynamodbfake"
	"github.com/streamcheck/streamcheck/emulator/dynamodbfake/dynamodbfaketest"
)

var epoch = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// env is a started server, its fake clock and a client without retries.
type env struct {
	srv *dynamodbfake.Server
	clk *clock.Fake
	db  *dynamodb.Client
}

func newEnv(t testing.TB, opts ...dynamodbfake.Option) *env {
	t.Helper()
	clk := clock.NewFake(epoch)
	srv := startServer(t, append([]dynamodbfake.Option{dynamodbfake.WithClock(clk)}, opts...)...)
	return &env{srv: srv, clk: clk, db: newClient(srv)}
}

func startServer(t testing.TB, opts ...dynamodbfake.Option) *dynamodbfake.Server {
	t.Helper()
	srv, _ := dynamodbfaketest.NewServer(t, opts...)
	return srv
}

func newClient(srv *dynamodbfake.Server) *dynamodb.Client { return clientFor(srv.URL()) }

// clientFor returns a client without retries for the endpoint url.
func clientFor(url string) *dynamodb.Client {
	return dynamodbfaketest.NewClient(url, func(o *dynamodb.Options) { o.Retryer = aws.NopRetryer{} })
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }
func b(v []byte) types.AttributeValue { return &types.AttributeValueMemberB{Value: v} }
func bl(v bool) types.AttributeValue  { return &types.AttributeValueMemberBOOL{Value: v} }

type item = map[string]types.AttributeValue

// createTable makes a PAY_PER_REQUEST table keyed by pk (S) and, when sk is
// not "", sk (N).
func (e *env) createTable(t testing.TB, name, sk string) {
	t.Helper()
	in := &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
	}
	if sk != "" {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{AttributeName: aws.String(sk), AttributeType: types.ScalarAttributeTypeN})
		in.KeySchema = append(in.KeySchema, types.KeySchemaElement{AttributeName: aws.String(sk), KeyType: types.KeyTypeRange})
	}
	if _, err := e.db.CreateTable(t.Context(), in); err != nil {
		t.Fatalf("CreateTable %s: %v", name, err)
	}
}

func (e *env) put(t testing.TB, table string, it item) {
	t.Helper()
	if _, err := e.db.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: it}); err != nil {
		t.Fatalf("PutItem %s: %v", table, err)
	}
}

func (e *env) get(t testing.TB, table string, key item) item {
	t.Helper()
	out, err := e.db.GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String(table), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatalf("GetItem %s: %v", table, err)
	}
	return out.Item
}

// wantErr fails unless err is an AWS API error with the given code and
// message (message "" checks only the code).
func wantErr(t testing.TB, what string, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("%s: got error %v, want %s", what, err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("%s: got %s (%s), want %s", what, ae.ErrorCode(), ae.ErrorMessage(), code)
	}
	if msg != "" && ae.ErrorMessage() != msg {
		t.Fatalf("%s: got message %q, want %q", what, ae.ErrorMessage(), msg)
	}
}

func str(it item, name string) string {
	if v, ok := it[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func num(it item, name string) string {
	if v, ok := it[name].(*types.AttributeValueMemberN); ok {
		return v.Value
	}
	return ""
}

func asErr[T error](err error, target *T) bool { return errors.As(err, target) }
