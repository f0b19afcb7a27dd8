package kafkafake_test

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/streamcheck/streamcheck/emulator/fault"
	"github.com/streamcheck/streamcheck/emulator/kafkafake"
)

func ExampleServer_Faults() {
	srv, err := kafkafake.New(kafkafake.WithTopic("payments", 1))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := srv.Start(); err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	// The first produce is answered NOT_LEADER_FOR_PARTITION; the client
	// refreshes its metadata and retries.
	id, _ := srv.Faults().Add(fault.Rule{Service: "kafka", Operation: "Produce", Action: fault.ActionError, Code: "NOT_LEADER_FOR_PARTITION", Times: 1})

	cl, err := kgo.NewClient(kgo.SeedBrokers(srv.Addrs()...), kgo.MetadataMinAge(50*time.Millisecond))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cl.Close()
	err = cl.ProduceSync(context.Background(), &kgo.Record{Topic: "payments", Value: []byte("p1")}).FirstErr()
	fmt.Println("produce error:", err)
	fmt.Println("rule fired:", srv.Faults().Rules()[0].Fired, "id", id)
	// Output:
	// produce error: <nil>
	// rule fired: 1 id 1
}
