package source

import (
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// DecodeAsPage decodes body as the Kinesis source does, into a page, and
// returns the output (its Records left empty) and the page's records as
// read from origin: the tests compare them with DecodeGetRecords.
func DecodeAsPage(body []byte, origin *Origin) (*kinesis.GetRecordsOutput, []Record, error) {
	return decodeAsPage(&decoder{pages: true}, body, origin)
}

func decodeAsPage(d *decoder, body []byte, origin *Origin) (*kinesis.GetRecordsOutput, []Record, error) {
	out, err := d.decode(body)
	if err != nil {
		return nil, nil, err
	}
	p := d.page
	if p == nil {
		p = &page{}
	}
	recs := make([]Record, p.len())
	for i := range recs {
		recs[i] = p.record(i, origin)
		if s := p.seq(i); s != recs[i].SequenceNumber {
			return nil, nil, &DecodeError{Msg: "page sequence number " + s + " is not the record's " + recs[i].SequenceNumber}
		}
		if d := p.payload(i); string(d) != string(recs[i].Data) || (d == nil) != (recs[i].Data == nil) {
			return nil, nil, &DecodeError{Msg: "page payload is not the record's Data"}
		}
	}
	return out, recs, nil
}

// SDKRecords converts records of the SDK's type read from origin as the
// source does.
func SDKRecords(recs []types.Record, origin *Origin) []Record {
	out := make([]Record, len(recs))
	for i := range recs {
		out[i] = sdkRecord(&recs[i], origin)
	}
	return out
}

// DecodeCBOR decodes a GetRecords response body in CBOR as DecodeGetRecords
// does one in JSON.
func DecodeCBOR(body []byte) (*kinesis.GetRecordsOutput, error) {
	d := &decoder{cbor: true}
	return d.decode(body)
}

// DecodeCBORAsPage is DecodeAsPage for a body in CBOR.
func DecodeCBORAsPage(body []byte, origin *Origin) (*kinesis.GetRecordsOutput, []Record, error) {
	return decodeAsPage(&decoder{pages: true, cbor: true}, body, origin)
}

// CBORGetRecords is a per-call Kinesis option that sends GetRecords in
// CBOR and decodes the answer as the Kinesis source does; page returns the
// records of the last call.
func CBORGetRecords(origin *Origin) (opt func(*kinesis.Options), page func(*kinesis.GetRecordsOutput) []Record) {
	buf := &readBuffers{cbor: true}
	return decodeInto(buf), func(out *kinesis.GetRecordsOutput) []Record {
		p := buf.takePage(out)
		recs := make([]Record, p.len())
		for i := range recs {
			recs[i] = p.record(i, origin)
		}
		return recs
	}
}
