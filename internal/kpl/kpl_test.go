package kpl_test

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/streamcheck/streamcheck/internal/kpl"
)

// fixture is a Kinesis record of testdata/kpl_aggregated.json, written by
// aws-kinesis-agg (awslabs/kinesis-aggregation's Node.js module; see
// testdata/aggregate.js).
type fixture struct {
	PartitionKey    string `json:"partitionKey"`
	ExplicitHashKey string `json:"explicitHashKey"`
	Data            string `json:"data"`
}

// thirdPartyAggregates returns the aggregated records of the fixture.
func thirdPartyAggregates(t *testing.T) [][]byte {
	t.Helper()
	b, err := os.ReadFile("testdata/kpl_aggregated.json")
	if err != nil {
		t.Fatal(err)
	}
	var fs []fixture
	if err := json.Unmarshal(b, &fs); err != nil {
		t.Fatal(err)
	}
	out := make([][]byte, len(fs))
	for i, f := range fs {
		if out[i], err = base64.StdEncoding.DecodeString(f.Data); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestDeaggregateThirdParty reads aggregates another library wrote: 2,000
// user records in order, with their keys, and Aggregate writes the same
// bytes for the same user records.
func TestDeaggregateThirdParty(t *testing.T) {
	t.Parallel()
	aggs := thirdPartyAggregates(t)
	n := 0
	for a, data := range aggs {
		if !kpl.IsAggregate(data) {
			t.Fatalf("aggregate %d: IsAggregate = false", a)
		}
		recs, err := kpl.Deaggregate(data)
		if err != nil {
			t.Fatalf("aggregate %d: %v", a, err)
		}
		for _, r := range recs {
			var v struct {
				Serial string `json:"serialnumber"`
				N      int    `json:"n"`
			}
			if err := json.Unmarshal(r.Data, &v); err != nil {
				t.Fatalf("aggregate %d: user record %q: %v", a, r.Data, err)
			}
			if want := fmt.Sprintf("kpl-%05d", n); v.Serial != want || v.N != n {
				t.Fatalf("user record %d = %s, want serial %s", n, r.Data, want)
			}
			if want := fmt.Sprint("key-", n%37); r.PartitionKey != want {
				t.Errorf("user record %d: partition key %q, want %q", n, r.PartitionKey, want)
			}
			if (n%5 == 0) != (r.ExplicitHashKey != "") {
				t.Errorf("user record %d: explicit hash key %q", n, r.ExplicitHashKey)
			}
			n++
		}
		if again := kpl.Aggregate(recs); !bytes.Equal(again, data) {
			t.Errorf("aggregate %d: Aggregate of its user records differs from the library's bytes", a)
		}
	}
	if n != 2000 {
		t.Errorf("%d user records, want 2000", n)
	}
}

func TestDeaggregateRejects(t *testing.T) {
	t.Parallel()
	good := kpl.Aggregate([]kpl.Record{{PartitionKey: "a", Data: []byte("x")}, {PartitionKey: "b", ExplicitHashKey: "7", Data: []byte("yy")}})
	recs, err := kpl.Deaggregate(good)
	if err != nil || len(recs) != 2 || string(recs[1].Data) != "yy" || recs[1].ExplicitHashKey != "7" {
		t.Fatalf("Deaggregate(good) = %+v, %v", recs, err)
	}
	flip := bytes.Clone(good)
	flip[6] ^= 1
	withMD5 := func(body []byte) []byte {
		// A protobuf with a correct trailer, to reach the parser.
		var b []byte
		b = append(b, kpl.Magic...)
		b = append(b, body...)
		sum := md5sum(body)
		return append(b, sum...)
	}
	for _, tt := range []struct {
		name, want string
		data       []byte
	}{
		{"flipped bit", "MD5", flip},
		{"short", "without the magic", kpl.Magic},
		{"truncated length", "runs past the end", withMD5([]byte{0x0a, 0x05, 'a'})},
		{"index out of range", "partition key index 3", withMD5([]byte{0x1a, 0x05, 0x08, 0x03, 0x1a, 0x01, 'x'})},
		{"no data", "lacks its partition key index or data", withMD5([]byte{0x0a, 0x01, 'a', 0x1a, 0x02, 0x08, 0x00})},
		{"bad wire type", "wire type 7", withMD5([]byte{0x0f})},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := kpl.Deaggregate(tt.data)
			if !errors.Is(err, kpl.ErrCorrupt) || !bytes.Contains([]byte(err.Error()), []byte(tt.want)) {
				t.Errorf("Deaggregate = %v, want ErrCorrupt saying %q", err, tt.want)
			}
		})
	}
	if kpl.IsAggregate([]byte(`{"a":1}`)) {
		t.Errorf("IsAggregate(JSON) = true")
	}
}

func md5sum(b []byte) []byte {
	s := md5.Sum(b)
	return s[:]
}
