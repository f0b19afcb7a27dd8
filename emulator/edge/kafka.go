package edge

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// KafkaPath is the prefix of the Kafka cluster controls:
//
//	POST /_streamcheck/kafka/shuffle-leaders  {}
//	POST /_streamcheck/kafka/move-partition   {"topic":"t","partition":0,"node":1}
//	POST /_streamcheck/kafka/remove-node      {"node":1}
//	POST /_streamcheck/kafka/add-node         {"node":1,"port":9093}   (node -1: next free; port 0: any)
const KafkaPath = "/_streamcheck/kafka/"

// KafkaControls are the cluster changes the Kafka API exposes;
// *kafkafake.Server implements them.
type KafkaControls interface {
	MoveTopicPartition(topic string, partition, node int32) error
	RemoveNode(node int32) error
	AddNode(node int32, port int) (int32, int, error)
	ShufflePartitionLeaders() error
}

// WithKafka serves k's controls under KafkaPath. Without it those paths
// answer 501 Not Implemented.
func WithKafka(k KafkaControls) Option {
	return optionFunc(func(r *Router) error { r.kafka = k; return nil })
}

// KafkaAction is the body of a Kafka control request.
type KafkaAction struct {
	Topic     string `json:"topic,omitempty"`
	Partition int32  `json:"partition,omitempty"`
	Node      int32  `json:"node,omitempty"`
	Port      int    `json:"port,omitempty"`
}

func (r *Router) serveKafka(w http.ResponseWriter, req *http.Request) {
	if r.kafka == nil {
		writeError(w, http.StatusNotImplemented, "Kafka controls are not available on this endpoint")
		return
	}
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeError(w, http.StatusMethodNotAllowed, "use POST")
		return
	}
	var a KafkaAction
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<16))
	if err != nil {
		writeError(w, http.StatusBadRequest, "read body: "+err.Error())
		return
	}
	if len(strings.TrimSpace(string(body))) > 0 {
		dec := json.NewDecoder(strings.NewReader(string(body)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&a); err != nil {
			writeError(w, http.StatusBadRequest, "decode body: "+err.Error())
			return
		}
	}
	var out any = map[string]string{"status": "ok"}
	switch action := strings.TrimPrefix(req.URL.Path, KafkaPath); action {
	case "shuffle-leaders":
		err = r.kafka.ShufflePartitionLeaders()
	case "move-partition":
		if a.Topic == "" {
			writeError(w, http.StatusBadRequest, "move-partition needs a topic")
			return
		}
		err = r.kafka.MoveTopicPartition(a.Topic, a.Partition, a.Node)
	case "remove-node":
		err = r.kafka.RemoveNode(a.Node)
	case "add-node":
		var node int32
		var port int
		node, port, err = r.kafka.AddNode(a.Node, a.Port)
		out = KafkaAction{Node: node, Port: port}
	default:
		writeError(w, http.StatusNotFound, fmt.Sprintf("no Kafka control %q: want shuffle-leaders, move-partition, remove-node or add-node", action))
		return
	}
	if err != nil {
		writeError(w, http.StatusConflict, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, out)
}
