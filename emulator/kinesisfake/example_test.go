package kinesisfake_test

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/streamcheck/streamcheck/emulator/kinesisfake"
	"github.com/streamcheck/streamcheck/emulator/kinesisfake/kinesisfaketest"
)

func Example() {
	srv, err := kinesisfake.New()
	if err != nil {
		panic(err)
	}
	if err := srv.Start(); err != nil {
		panic(err)
	}
	defer srv.Close()

	ctx := context.Background()
	kc := kinesisfaketest.NewClient(srv)
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("events"), ShardCount: aws.Int32(1)}); err != nil {
		panic(err)
	}
	put, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("events"), PartitionKey: aws.String("k"), Data: []byte("hello")})
	if err != nil {
		panic(err)
	}
	it, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("events"), ShardId: put.ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		panic(err)
	}
	out, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil {
		panic(err)
	}
	fmt.Println(aws.ToString(put.ShardId), string(out.Records[0].Data))
	// Output: shardId-000000000000 hello
}
