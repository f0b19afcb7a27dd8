package edge_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/streamcheck/streamcheck/emulator/edge"
)

// fakeKafka records the controls it is asked for; node 42 does not exist.
type fakeKafka struct{ calls []string }

func (f *fakeKafka) MoveTopicPartition(topic string, partition, node int32) error {
	f.calls = append(f.calls, fmt.Sprintf("move %s/%d %d", topic, partition, node))
	return nil
}

func (f *fakeKafka) RemoveNode(node int32) error {
	if node == 42 {
		return errors.New("node 42 not found")
	}
	f.calls = append(f.calls, fmt.Sprintf("remove %d", node))
	return nil
}

func (f *fakeKafka) AddNode(node int32, port int) (int32, int, error) {
	f.calls = append(f.calls, fmt.Sprintf("add %d %d", node, port))
	return 3, 19093, nil
}

func (f *fakeKafka) ShufflePartitionLeaders() error {
	f.calls = append(f.calls, "shuffle")
	return nil
}

func TestKafkaAPI(t *testing.T) {
	fk := &fakeKafka{}
	srv := httptest.NewServer(newRouter(t, named("kinesis"), named("s3"), edge.WithKafka(fk)))
	t.Cleanup(srv.Close)
	c := &edge.Client{Endpoint: srv.URL}
	ctx := t.Context()

	if _, err := c.Kafka(ctx, "shuffle-leaders", edge.KafkaAction{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Kafka(ctx, "move-partition", edge.KafkaAction{Topic: "t", Partition: 2, Node: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Kafka(ctx, "remove-node", edge.KafkaAction{Node: 1}); err != nil {
		t.Fatal(err)
	}
	got, err := c.Kafka(ctx, "add-node", edge.KafkaAction{Node: -1})
	if err != nil || got.Node != 3 || got.Port != 19093 {
		t.Fatalf("add-node = %+v, %v; want node 3 on port 19093", got, err)
	}
	if want := "shuffle,move t/2 1,remove 1,add -1 0"; strings.Join(fk.calls, ",") != want {
		t.Errorf("calls = %q, want %q", strings.Join(fk.calls, ","), want)
	}

	var apiErr *edge.APIError
	tests := []struct {
		name       string
		action     string
		a          edge.KafkaAction
		wantStatus int
	}{
		{"missing node", "remove-node", edge.KafkaAction{Node: 42}, http.StatusConflict},
		{"move without topic", "move-partition", edge.KafkaAction{}, http.StatusBadRequest},
		{"unknown action", "reboot", edge.KafkaAction{}, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Kafka(ctx, tt.action, tt.a)
			if !errors.As(err, &apiErr) || apiErr.Status != tt.wantStatus {
				t.Errorf("Kafka(%s) = %v, want HTTP %d", tt.action, err, tt.wantStatus)
			}
		})
	}
}
