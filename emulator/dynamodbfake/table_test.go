package dynamodbfake_test

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/streamcheck/streamcheck/emulator/dynamodbfake"
)

func gsiTableInput(name string) *dynamodb.CreateTableInput {
	return &dynamodb.CreateTableInput{
		TableName: aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeN},
			{AttributeName: aws.String("g"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("lsk"), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
		ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(5)},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName:             aws.String("by-g"),
			KeySchema:             []types.KeySchemaElement{{AttributeName: aws.String("g"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange}},
			Projection:            &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly},
			ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(5)},
		}},
		LocalSecondaryIndexes: []types.LocalSecondaryIndex{{
			IndexName:  aws.String("by-lsk"),
			KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("lsk"), KeyType: types.KeyTypeRange}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeInclude, NonKeyAttributes: []string{"extra"}},
		}},
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("etl")}},
	}
}

func TestTableLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dynamodbfake.WithTableStatusDelay(5*time.Second), dynamodbfake.WithRegion("eu-west-1"), dynamodbfake.WithAccountID("123456789012"))
	ctx := t.Context()
	out, err := e.db.CreateTable(ctx, gsiTableInput("orders"))
	if err != nil {
		t.Fatal(err)
	}
	d := out.TableDescription
	if d.TableStatus != types.TableStatusCreating || aws.ToString(d.TableArn) != "arn:aws:dynamodb:eu-west-1:123456789012:table/orders" {
		t.Fatalf("CreateTable: got status %s, ARN %s", d.TableStatus, aws.ToString(d.TableArn))
	}
	if len(d.GlobalSecondaryIndexes) != 1 || len(d.LocalSecondaryIndexes) != 1 || d.LocalSecondaryIndexes[0].Projection.ProjectionType != types.ProjectionTypeInclude {
		t.Fatalf("CreateTable indexes: got %+v / %+v", d.GlobalSecondaryIndexes, d.LocalSecondaryIndexes)
	}
	_, err = e.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders"), Item: item{"pk": s("a"), "sk": n("1")}})
	wantErr(t, "PutItem while CREATING", err, "ResourceNotFoundException", "Requested resource not found")
	_, err = e.db.CreateTable(ctx, gsiTableInput("orders"))
	wantErr(t, "CreateTable twice", err, "ResourceInUseException", "Table already exists: orders")
	e.clk.Advance(5 * time.Second)
	desc, err := e.db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	if desc.Table.TableStatus != types.TableStatusActive {
		t.Fatalf("after the delay: got %s, want ACTIVE", desc.Table.TableStatus)
	}
	// Throughput and a new GSI.
	up, err := e.db.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("orders"),
		ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(10), WriteCapacityUnits: aws.Int64(5)}})
	if err != nil {
		t.Fatal(err)
	}
	if up.TableDescription.TableStatus != types.TableStatusUpdating || aws.ToInt64(up.TableDescription.ProvisionedThroughput.ReadCapacityUnits) != 10 {
		t.Fatalf("UpdateTable: got %s %v", up.TableDescription.TableStatus, up.TableDescription.ProvisionedThroughput)
	}
	_, err = e.db.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("orders"),
		ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(10), WriteCapacityUnits: aws.Int64(5)}})
	wantErr(t, "UpdateTable while UPDATING", err, "ResourceInUseException", "Attempt to change a resource which is still in use: Table is being updated: orders")
	e.clk.Advance(5 * time.Second)
	_, err = e.db.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("orders"),
		ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(10), WriteCapacityUnits: aws.Int64(5)}})
	wantErr(t, "UpdateTable to the same throughput", err, "ValidationException", "The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the table: 10. Requested ReadCapacityUnits: 10. Current WriteCapacityUnits provisioned for the table: 5. Requested WriteCapacityUnits: 5. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.")
	e.put(t, "orders", item{"pk": s("a"), "sk": n("1"), "h": s("x")})
	up, err = e.db.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("orders"),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("h"), AttributeType: types.ScalarAttributeTypeS}},
		BillingMode:          types.BillingModePayPerRequest,
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{
			{Create: &types.CreateGlobalSecondaryIndexAction{IndexName: aws.String("by-h"), KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("h"), KeyType: types.KeyTypeHash}},
				Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}},
		}})
	if err != nil {
		t.Fatal(err)
	}
	if got := up.TableDescription.BillingModeSummary.BillingMode; got != types.BillingModePayPerRequest {
		t.Errorf("billing mode: got %s", got)
	}
	var h *types.GlobalSecondaryIndexDescription
	for i := range up.TableDescription.GlobalSecondaryIndexes {
		if aws.ToString(up.TableDescription.GlobalSecondaryIndexes[i].IndexName) == "by-h" {
			h = &up.TableDescription.GlobalSecondaryIndexes[i]
		}
	}
	if h == nil || h.IndexStatus != types.IndexStatusCreating || aws.ToInt64(h.ItemCount) != 1 {
		t.Fatalf("new GSI: got %+v, want CREATING with the one item backfilled", h)
	}
	e.clk.Advance(5 * time.Second)
	q, err := e.db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("orders"), IndexName: aws.String("by-h"),
		KeyConditionExpression: aws.String("h = :h"), ExpressionAttributeValues: item{":h": s("x")}})
	if err != nil || q.Count != 1 {
		t.Fatalf("Query on the new GSI: got %v %v", q, err)
	}
	_, err = e.db.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("orders"),
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Delete: &types.DeleteGlobalSecondaryIndexAction{IndexName: aws.String("by-h")}}}})
	if err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(5 * time.Second)
	_, err = e.db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("orders"), IndexName: aws.String("by-h"),
		KeyConditionExpression: aws.String("h = :h"), ExpressionAttributeValues: item{":h": s("x")}})
	wantErr(t, "Query on a deleted GSI", err, "ValidationException", "The table does not have the specified index: by-h")
	// Deletion protection, then delete.
	if _, err := e.db.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("orders"), DeletionProtectionEnabled: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	_, err = e.db.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("orders")})
	wantErr(t, "DeleteTable under protection", err, "ValidationException", "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.")
	if _, err := e.db.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("orders"), DeletionProtectionEnabled: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	del, err := e.db.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("orders")})
	if err != nil || del.TableDescription.TableStatus != types.TableStatusDeleting {
		t.Fatalf("DeleteTable: got %v %v", del, err)
	}
	_, err = e.db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("orders")})
	wantErr(t, "DescribeTable after delete", err, "ResourceNotFoundException", "Requested resource not found: Table: orders not found")
}

func TestCreateTableErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ks := func(names ...string) []types.KeySchemaElement {
		out := []types.KeySchemaElement{{AttributeName: aws.String(names[0]), KeyType: types.KeyTypeHash}}
		if len(names) > 1 {
			out = append(out, types.KeySchemaElement{AttributeName: aws.String(names[1]), KeyType: types.KeyTypeRange})
		}
		return out
	}
	defs := func(names ...string) []types.AttributeDefinition {
		var out []types.AttributeDefinition
		for _, n := range names {
			out = append(out, types.AttributeDefinition{AttributeName: aws.String(n), AttributeType: types.ScalarAttributeTypeS})
		}
		return out
	}
	for _, tc := range []struct {
		name string
		in   *dynamodb.CreateTableInput
		msg  string
	}{
		{"undefined key attribute", &dynamodb.CreateTableInput{TableName: aws.String("bad"), AttributeDefinitions: defs("id"), KeySchema: ks("pk"), BillingMode: types.BillingModePayPerRequest},
			"One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [pk], AttributeDefinitions: [id]"},
		{"unused definition", &dynamodb.CreateTableInput{TableName: aws.String("bad"), AttributeDefinitions: defs("pk", "x"), KeySchema: ks("pk"), BillingMode: types.BillingModePayPerRequest},
			"One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions"},
		{"provisioned without throughput", &dynamodb.CreateTableInput{TableName: aws.String("bad"), AttributeDefinitions: defs("pk"), KeySchema: ks("pk")},
			"One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"},
		{"on-demand with throughput", &dynamodb.CreateTableInput{TableName: aws.String("bad"), AttributeDefinitions: defs("pk"), KeySchema: ks("pk"), BillingMode: types.BillingModePayPerRequest,
			ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(1), WriteCapacityUnits: aws.Int64(1)}},
			"One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"},
		{"LSI on a hash-only table", &dynamodb.CreateTableInput{TableName: aws.String("bad"), AttributeDefinitions: defs("pk", "l"), KeySchema: ks("pk"), BillingMode: types.BillingModePayPerRequest,
			LocalSecondaryIndexes: []types.LocalSecondaryIndex{{IndexName: aws.String("lsi"), KeySchema: ks("pk", "l"), Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}}},
			"One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex"},
		{"short name", &dynamodb.CreateTableInput{TableName: aws.String("ab"), AttributeDefinitions: defs("pk"), KeySchema: ks("pk"), BillingMode: types.BillingModePayPerRequest},
			"1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length between 3 and 255"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.db.CreateTable(t.Context(), tc.in)
			wantErr(t, tc.name, err, "ValidationException", tc.msg)
		})
	}
}

func TestListTablesPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for i := 0; i < 7; i++ {
		e.createTable(t, fmt.Sprintf("table-%02d", i), "")
	}
	var got []string
	var start *string
	pages := 0
	for {
		out, err := e.db.ListTables(t.Context(), &dynamodb.ListTablesInput{Limit: aws.Int32(3), ExclusiveStartTableName: start})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		got = append(got, out.TableNames...)
		if out.LastEvaluatedTableName == nil {
			break
		}
		start = out.LastEvaluatedTableName
	}
	if len(got) != 7 || got[0] != "table-00" || got[6] != "table-06" || pages != 3 {
		t.Errorf("ListTables in pages of 3: got %v in %d pages, want 7 names in 3 pages", got, pages)
	}
	_, err := e.db.ListTables(t.Context(), &dynamodb.ListTablesInput{Limit: aws.Int32(101)})
	wantErr(t, "ListTables limit 101", err, "ValidationException", "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100")
}

func TestTagsTTLLimitsEndpoints(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	e.createTable(t, "tagged", "")
	arn := "arn:aws:dynamodb:us-east-1:000000000000:table/tagged"
	if _, err := e.db.TagResource(ctx, &dynamodb.TagResourceInput{ResourceArn: aws.String(arn), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.UntagResource(ctx, &dynamodb.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := e.db.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "b" {
		t.Errorf("tags: got %+v, want only b", tags.Tags)
	}
	_, err = e.db.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: aws.String(arn + "x")})
	wantErr(t, "tags of a missing table", err, "ResourceNotFoundException", "Requested resource not found: ResourcArn: "+arn+"x not found")
	_, err = e.db.TagResource(ctx, &dynamodb.TagResourceInput{ResourceArn: aws.String("nonsense"), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}}})
	wantErr(t, "tags of a malformed ARN", err, "ValidationException", "Invalid TableArn: Invalid ResourceArn provided as input nonsense")

	ttl, err := e.db.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String("tagged")})
	if err != nil || ttl.TimeToLiveDescription.TimeToLiveStatus != types.TimeToLiveStatusDisabled {
		t.Fatalf("DescribeTimeToLive: got %v %v", ttl, err)
	}
	if _, err := e.db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String("tagged"),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("exp"), Enabled: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	_, err = e.db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String("tagged"),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("exp"), Enabled: aws.Bool(true)}})
	wantErr(t, "enabling TTL twice", err, "ValidationException", "TimeToLive is already enabled")
	ttl, err = e.db.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String("tagged")})
	if err != nil || ttl.TimeToLiveDescription.TimeToLiveStatus != types.TimeToLiveStatusEnabled || aws.ToString(ttl.TimeToLiveDescription.AttributeName) != "exp" {
		t.Fatalf("DescribeTimeToLive after enabling: got %+v %v", ttl.TimeToLiveDescription, err)
	}

	_, err = e.db.UntagResource(ctx, &dynamodb.UntagResourceInput{ResourceArn: aws.String(arn + "x"), TagKeys: []string{"b"}})
	wantErr(t, "untagging a missing table", err, "ResourceNotFoundException", "Requested resource not found: ResourcArn: "+arn+"x not found")
	_, err = e.db.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String("nope")})
	wantErr(t, "DescribeTimeToLive of a missing table", err, "ResourceNotFoundException", "Requested resource not found: Table: nope not found")

	lim, err := e.db.DescribeLimits(ctx, &dynamodb.DescribeLimitsInput{})
	if err != nil || aws.ToInt64(lim.TableMaxWriteCapacityUnits) != 40000 {
		t.Fatalf("DescribeLimits: got %v %v", lim, err)
	}
	ep, err := e.db.DescribeEndpoints(ctx, &dynamodb.DescribeEndpointsInput{})
	if err != nil || len(ep.Endpoints) != 1 || aws.ToString(ep.Endpoints[0].Address) != e.srv.Addr() {
		t.Fatalf("DescribeEndpoints: got %+v %v, want %s", ep, err, e.srv.Addr())
	}
}

func TestOptionsRejectBadValues(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opt  dynamodbfake.Option
	}{
		{"region", dynamodbfake.WithRegion("Mars")},
		{"empty region", dynamodbfake.WithRegion("")},
		{"account", dynamodbfake.WithAccountID("12")},
		{"delay", dynamodbfake.WithTableStatusDelay(-time.Second)},
		{"clock", dynamodbfake.WithClock(nil)},
		{"faults", dynamodbfake.WithFaults(nil)},
		{"data dir", dynamodbfake.WithDataDir("")},
		{"address", dynamodbfake.WithAddr("no-port")},
	} {
		if _, err := dynamodbfake.New(tc.opt); err == nil {
			t.Errorf("New with a bad %s: got no error", tc.name)
		}
	}
	if _, err := dynamodbfake.New(dynamodbfake.WithRegion("eu-central-1"), dynamodbfake.WithAccountID("123456789012")); err != nil {
		t.Errorf("New with good options: %v", err)
	}
}

func TestWithAddr(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // free the port for the server
	srv, err := dynamodbfake.New(dynamodbfake.WithAddr(addr))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Skipf("the freed port %s was taken again before Start: %v", addr, err)
	}
	defer srv.Close()
	if srv.Addr() != addr {
		t.Errorf("Addr() = %q, want %q", srv.Addr(), addr)
	}
}
