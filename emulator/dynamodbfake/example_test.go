package dynamodbfake_test

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/streamcheck/streamcheck/emulator/dynamodbfake"
)

func Example() {
	srv, err := dynamodbfake.New()
	if err != nil {
		panic(err)
	}
	if err := srv.Start(); err != nil {
		panic(err)
	}
	defer srv.Close()

	ctx := context.Background()
	db := dynamodb.NewFromConfig(aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("id", "secret", ""),
	}, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(srv.URL()) })
	if _, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("checkpoints"),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	}); err != nil {
		panic(err)
	}
	lease := func(owner string) error {
		_, err := db.PutItem(ctx, &dynamodb.PutItemInput{
			TableName:           aws.String("checkpoints"),
			Item:                map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "shard-0"}, "owner": &types.AttributeValueMemberS{Value: owner}},
			ConditionExpression: aws.String("attribute_not_exists(id)"),
		})
		return err
	}
	fmt.Println("worker-a:", lease("worker-a"))
	var ccf *types.ConditionalCheckFailedException
	err = lease("worker-b")
	fmt.Println("worker-b:", asErr(err, &ccf), aws.ToString(ccf.Message))
	// Output:
	// worker-a: <nil>
	// worker-b: true The conditional request failed
}
