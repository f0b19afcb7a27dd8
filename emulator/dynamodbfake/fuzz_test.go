package dynamodbfake_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/streamcheck/streamcheck/emulator/dynamodbfake"
)

// FuzzRequest sends whole requests of every operation to a server with a
// table and an index: whatever the body, the answer is 200 or an AWS error
// with a namespaced __type and a message, never a panic (which the server
// would turn into InternalServerError, also refused here).
func FuzzRequest(f *testing.F) {
	ops := []string{"CreateTable", "DescribeTable", "UpdateTable", "DeleteTable", "ListTables", "DescribeTimeToLive",
		"UpdateTimeToLive", "TagResource", "UntagResource", "ListTagsOfResource", "DescribeLimits", "DescribeEndpoints",
		"PutItem", "GetItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
		"TransactWriteItems", "TransactGetItems"}
	seeds := map[string]string{
		"PutItem":            `{"TableName":"fz-t","Item":{"pk":{"S":"a"},"sk":{"N":"1"},"g":{"S":"x"}},"ConditionExpression":"attribute_not_exists(pk)","ReturnValues":"ALL_OLD"}`,
		"GetItem":            `{"TableName":"fz-t","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"ProjectionExpression":"#a, g[0].b","ExpressionAttributeNames":{"#a":"pk"}}`,
		"UpdateItem":         `{"TableName":"fz-t","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"UpdateExpression":"SET n = if_not_exists(n, :z) + :one REMOVE q ADD s :ss","ExpressionAttributeValues":{":z":{"N":"0"},":one":{"N":"1"},":ss":{"SS":["x"]}},"ReturnValues":"UPDATED_NEW"}`,
		"DeleteItem":         `{"TableName":"fz-t","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"Expected":{"g":{"Value":{"S":"x"}}}}`,
		"Query":              `{"TableName":"fz-t","IndexName":"fz-g","KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"S":"x"}},"Limit":1,"ScanIndexForward":false}`,
		"Scan":               `{"TableName":"fz-t","Segment":0,"TotalSegments":2,"FilterExpression":"size(g) > :n","ExpressionAttributeValues":{":n":{"N":"0"}},"ExclusiveStartKey":{"pk":{"S":"a"},"sk":{"N":"1"}}}`,
		"BatchGetItem":       `{"RequestItems":{"fz-t":{"Keys":[{"pk":{"S":"a"},"sk":{"N":"1"}}]}}}`,
		"BatchWriteItem":     `{"RequestItems":{"fz-t":[{"PutRequest":{"Item":{"pk":{"S":"b"},"sk":{"N":"2"}}}},{"DeleteRequest":{"Key":{"pk":{"S":"a"},"sk":{"N":"1"}}}}]}}`,
		"TransactWriteItems": `{"TransactItems":[{"Update":{"TableName":"fz-t","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"UpdateExpression":"SET v = :v","ExpressionAttributeValues":{":v":{"L":[{"NULL":true}]}}}}],"ClientRequestToken":"tok"}`,
		"TransactGetItems":   `{"TransactItems":[{"Get":{"TableName":"fz-t","Key":{"pk":{"S":"a"},"sk":{"N":"1"}}}}]}`,
		"CreateTable":        `{"TableName":"fz-new","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"B"}],"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}`,
		"UpdateTable":        `{"TableName":"fz-t","GlobalSecondaryIndexUpdates":[{"Delete":{"IndexName":"fz-g"}}]}`,
		"UpdateTimeToLive":   `{"TableName":"fz-t","TimeToLiveSpecification":{"AttributeName":"exp","Enabled":true}}`,
		"TagResource":        `{"ResourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/fz-t","Tags":[{"Key":"a","Value":"b"}]}`,
	}
	for i, op := range ops {
		body := seeds[op]
		if body == "" {
			body = `{"TableName":"fz-t"}`
		}
		f.Add(uint8(i), body)
		f.Add(uint8(i), `{"TableName":"fz-t","Key":{"pk":{"S":"a","N":"1"}}}`)
	}
	srv, err := dynamodbfake.New()
	if err != nil {
		f.Fatal(err)
	}
	defer srv.Close()
	create := `{"TableName":"fz-t","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"},{"AttributeName":"g","AttributeType":"S"}],` +
		`"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"BillingMode":"PAY_PER_REQUEST",` +
		`"GlobalSecondaryIndexes":[{"IndexName":"fz-g","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]}`
	f.Fuzz(func(t *testing.T, opIndex uint8, body string) {
		if code, _, _ := post(t, srv, "DescribeTable", `{"TableName":"fz-t"}`); code != http.StatusOK {
			if code, _, b := post(t, srv, "CreateTable", create); code != http.StatusOK {
				t.Fatalf("CreateTable: %d %s", code, b)
			}
		}
		op := ops[int(opIndex)%len(ops)]
		code, _, b := post(t, srv, op, body)
		if code == http.StatusOK {
			if !json.Valid([]byte(b)) {
				t.Fatalf("%s %s: 200 with invalid JSON %q", op, body, b)
			}
			return
		}
		var eb struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
			Msg2    string `json:"Message"`
		}
		if err := json.Unmarshal([]byte(b), &eb); err != nil {
			t.Fatalf("%s %s: error body %q: %v", op, body, b, err)
		}
		if !strings.HasPrefix(eb.Type, "com.amazonaws.dynamodb.v20120810#") || eb.Message+eb.Msg2 == "" {
			t.Fatalf("%s %s: error body %q, want a namespaced __type and a message", op, body, b)
		}
		if code >= 500 {
			t.Fatalf("%s %s: status %d %s, want a client error", op, body, code, b)
		}
	})
}
