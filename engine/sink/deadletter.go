package sink

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// DeadLetter is one rejected record, as written to the dead-letter path.
type DeadLetter struct {
	BatchID        int64  `json:"batch_id"`
	Source         string `json:"source"`
	Stream         string `json:"stream"`
	ShardID        string `json:"shard_id"`
	Partition      int32  `json:"partition"`
	SequenceNumber string `json:"sequence_number"`
	// SubSequenceNumber is a KPL user record's index in its aggregate;
	// absent for a record that was not aggregated.
	SubSequenceNumber *int64    `json:"sub_sequence_number,omitempty"`
	Offset            int64     `json:"offset"`
	PartitionKey      string    `json:"partition_key"`
	ArrivalTime       time.Time `json:"arrival_time"`
	Error             string    `json:"error"`
	PayloadBase64     string    `json:"payload_base64"`
	PayloadSHA256     string    `json:"payload_sha256"`
}

// SetPayload fills the payload fields from the raw bytes.
func (d *DeadLetter) SetPayload(p []byte) {
	d.PayloadBase64 = base64.StdEncoding.EncodeToString(p)
	h := sha256.Sum256(p)
	d.PayloadSHA256 = hex.EncodeToString(h[:])
}

// EncodeDeadLetters writes one JSON object a line.
func EncodeDeadLetters(w io.Writer, dls []DeadLetter) error {
	enc := json.NewEncoder(w)
	for i := range dls {
		if err := enc.Encode(&dls[i]); err != nil {
			return fmt.Errorf("sink: encode dead letter %d: %w", i, err)
		}
	}
	return nil
}
