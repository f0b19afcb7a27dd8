package kinesisfake

import (
	"bytes"
	"strings"
	"testing"
)

// GetRecords' hand-written CBOR is byte for byte what the CBOR encoder
// makes of the answer's struct form, in every shape an answer takes, and
// no longer than cborSize says.
func TestGetRecordsAppendCBORMatchesEncoder(t *testing.T) {
	rv := func(counter uint64, arrival int64, key string, data []byte) recView {
		return recView{rec: rec{counter: counter, arrival: arrival}, key: []byte(key), data: data}
	}
	big := bytes.Repeat([]byte{0xab}, 70000) // a 4-byte length head
	many := make([]recView, 300)             // a 2-byte count head
	for i := range many {
		many[i] = rv(uint64(i), 1763818209123+int64(i), "pk", []byte{byte(i)})
	}
	kids := []childShard{{ShardID: "shardId-000000000002", ParentShards: []string{"shardId-000000000000", "shardId-000000000001"},
		HashKeyRange: hashKeyRange{StartingHashKey: "0", EndingHashKey: "340282366920938463463374607431768211455"}}}
	for _, tc := range []struct {
		name string
		out  getRecordsOutput
	}{
		{"empty", getRecordsOutput{encryption: "NONE", next: "it", millis: 0}},
		{"typical", getRecordsOutput{shard: 3, createdMs: 1763818200000, encryption: "NONE", next: "AAAA+/==", millis: 1234,
			recs: []recView{rv(1, 1763818209123, "pk-1", []byte(`{"a":1}`)), rv(2, 1763818209124, strings.Repeat("k", 256), []byte{})}}},
		{"encrypted", getRecordsOutput{encryption: "KMS", next: "it", recs: []recView{rv(7, 5, "k", []byte("x"))}}},
		{"large data and many records", getRecordsOutput{encryption: "NONE", next: "it", millis: 1 << 40,
			recs: append([]recView{rv(1, 1, "k", big)}, many...)}},
		{"closed shard's end", getRecordsOutput{encryption: "NONE", childShards: kids}},
		{"negative arrival", getRecordsOutput{encryption: "NONE", next: "it", recs: []recView{rv(1, -1500, "k", []byte("x"))}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, err := tc.out.MarshalCBOR()
			if err != nil {
				t.Fatal(err)
			}
			got, err := tc.out.appendCBOR(nil)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("appendCBOR differs from the encoder:\n got %x\nwant %x", got[:min(len(got), 400)], want[:min(len(want), 400)])
			}
			if bound := tc.out.cborSize(); len(got) > bound {
				t.Errorf("appendCBOR wrote %d bytes, over cborSize's bound of %d: the buffer grows twice", len(got), bound)
			}
		})
	}
}

// An answer rendered by the encoders (not by its own appendCBOR or
// appendJSON) is appended to the pooled buffer it is given, so the buffer
// keeps the room a GetRecords answer of megabytes grew it to: before, a
// GetShardIterator answer put a 96-byte buffer back in its place.
func TestEveryAnswerIsAppendedToThePooledBuffer(t *testing.T) {
	out := map[string]string{"ShardIterator": "AAAA"}
	for name, f := range map[string]wireFormat{"CBOR": formatCBOR, "JSON": formatJSON} {
		pooled := make([]byte, 0, 1<<20)
		got, err := appendResponse(pooled, f, out)
		if err != nil {
			t.Fatal(err)
		}
		if cap(got) != cap(pooled) {
			t.Errorf("%s: the answer is in a buffer of %d bytes, not in the pooled one of %d", name, cap(got), cap(pooled))
		}
		if len(got) == 0 || !strings.Contains(string(got), "AAAA") {
			t.Errorf("%s: answer %q", name, got)
		}
	}
}

// A GetRecords answer renders its sequence numbers from one template per
// shard: each must be the number appendSeq makes, for any counter.
func TestSeqTemplateMakesAppendSeqsNumbers(t *testing.T) {
	for _, shard := range []int{0, 3, 1 << 31} {
		for _, created := range []int64{0, 1763818200000} {
			tmpl := newSeqTemplate(shard, created)
			for _, counter := range []uint64{0, 1, 9, 10, 12345, 1 << 40, ^uint64(0)} {
				got := string(tmpl.appendSeq([]byte("x"), counter))
				want := string(appendSeq([]byte("x"), shard, counter, created))
				if got != want {
					t.Errorf("shard %d, created %d, counter %d:\n got %s\nwant %s", shard, created, counter, got, want)
				}
			}
		}
	}
}
