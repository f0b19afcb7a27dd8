package emulator_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/streamcheck/streamcheck/emulator"
	"github.com/streamcheck/streamcheck/emulator/edge"
	"github.com/streamcheck/streamcheck/emulator/fault"
)

// ddbRoundTrip creates a table, writes an item under a condition and reads
// it back.
func ddbRoundTrip(t *testing.T, c *dynamodb.Client, table string) {
	t.Helper()
	ctx := t.Context()
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(table),
		AttributeDefinitions: []dtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: dtypes.ScalarAttributeTypeS}},
		KeySchema:            []dtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: dtypes.KeyTypeHash}},
		BillingMode:          dtypes.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	put := func() error {
		_, err := c.PutItem(ctx, &dynamodb.PutItemInput{
			TableName:           aws.String(table),
			Item:                map[string]dtypes.AttributeValue{"pk": &dtypes.AttributeValueMemberS{Value: "k"}, "n": &dtypes.AttributeValueMemberN{Value: "1"}},
			ConditionExpression: aws.String("attribute_not_exists(pk)"),
		})
		return err
	}
	if err := put(); err != nil {
		t.Fatalf("PutItem: %v", err)
	}
	var ccf *dtypes.ConditionalCheckFailedException
	if err := put(); !errors.As(err, &ccf) {
		t.Errorf("second conditional PutItem = %v, want ConditionalCheckFailedException", err)
	}
	got, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: map[string]dtypes.AttributeValue{"pk": &dtypes.AttributeValueMemberS{Value: "k"}}, ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatalf("GetItem: %v", err)
	}
	if n, ok := got.Item["n"].(*dtypes.AttributeValueMemberN); !ok || n.Value != "1" {
		t.Errorf("GetItem = %v, want n = 1", got.Item)
	}
}

func TestDynamoDBInTheStack(t *testing.T) {
	t.Run("own port", func(t *testing.T) {
		s := startStack(t)
		if s.DynamoDBURL == "" || s.DynamoDBURL == s.KinesisURL || s.DynamoDB() == nil {
			t.Fatalf("DynamoDBURL %q (Kinesis %q), server %v: want a port of its own", s.DynamoDBURL, s.KinesisURL, s.DynamoDB())
		}
		ddbRoundTrip(t, s.DynamoDBClient(), "own")
		if env := strings.Join(s.Env(), "\n"); !strings.Contains(env, "AWS_ENDPOINT_URL_DYNAMODB="+s.DynamoDBURL) {
			t.Errorf("Env() =\n%s\nwant AWS_ENDPOINT_URL_DYNAMODB", env)
		}
	})
	t.Run("config only", func(t *testing.T) {
		if os.Getenv("AWS_ENDPOINT_URL") != "" {
			t.Skip("AWS_ENDPOINT_URL is set in this process; the SDK then ignores per-service endpoints from aws.Config")
		}
		s := startStack(t)
		ddbRoundTrip(t, dynamodb.NewFromConfig(s.AWSConfig), "config")
	})
	t.Run("edge", func(t *testing.T) {
		s := startStack(t, emulator.WithEdgeAddr("127.0.0.1:0"))
		if s.DynamoDBURL != s.EdgeURL {
			t.Fatalf("DynamoDBURL %q, EdgeURL %q: want them equal", s.DynamoDBURL, s.EdgeURL)
		}
		cfg := s.AWSConfig.Copy()
		cfg.BaseEndpoint = aws.String(s.EdgeURL)
		cfg.ConfigSources = nil
		c := dynamodb.NewFromConfig(cfg)
		ddbRoundTrip(t, c, "edge")

		resp, err := http.Get(s.EdgeURL + edge.HealthPath)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !bytes.Contains(b, []byte(`"dynamodb":"running"`)) {
			t.Errorf("health = %s, want dynamodb running", b)
		}

		ec := &edge.Client{Endpoint: s.EdgeURL}
		if _, err := ec.AddFault(t.Context(), fault.Rule{Service: fault.ServiceDynamoDB, Operation: "GetItem", Action: fault.ActionError, Code: "ProvisionedThroughputExceededException", Status: 400, Times: 1}); err != nil {
			t.Fatalf("AddFault for dynamodb: %v", err)
		}
		_, err = c.GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String("edge"), Key: map[string]dtypes.AttributeValue{"pk": &dtypes.AttributeValueMemberS{Value: "k"}}},
			func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 })
		var pte *dtypes.ProvisionedThroughputExceededException
		if !errors.As(err, &pte) {
			t.Errorf("GetItem under a fault rule = %v, want ProvisionedThroughputExceededException", err)
		}
	})
}

func TestDynamoDBSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	s, err := emulator.Start(t.Context(), emulator.WithBackend(emulator.Embedded), emulator.WithDataDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	ddbRoundTrip(t, s.DynamoDBClient(), "kept")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = emulator.Start(t.Context(), emulator.WithBackend(emulator.Embedded), emulator.WithDataDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.DynamoDBClient().GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String("kept"), Key: map[string]dtypes.AttributeValue{"pk": &dtypes.AttributeValueMemberS{Value: "k"}}})
	if err != nil || got.Item == nil {
		t.Errorf("GetItem after restart = %v, %v; want the item", got, err)
	}
}
