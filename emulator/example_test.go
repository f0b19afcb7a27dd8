package emulator_test

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/streamcheck/streamcheck/emulator"
)

func ExampleStart() {
	ctx := context.Background()
	st, err := emulator.Start(ctx, emulator.WithBackend(emulator.Embedded), emulator.WithSeed(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()

	kc := st.KinesisClient()
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(2)}); err != nil {
		fmt.Println(err)
		return
	}
	out, err := kc.ListStreams(ctx, &kinesis.ListStreamsInput{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(st.Backend, out.StreamNames, len(st.KafkaBrokers))
	// Output: embedded [orders] 1
}
