package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// AddGetRecordsDecoder is a Kinesis client API option (for
// kinesis.Options.APIOptions, kinesis.WithAPIOptions or
// aws.Config.APIOptions) that decodes successful GetRecords responses with
// DecodeGetRecords instead of the SDK's generic deserializer. It takes the
// place of the SDK's "OperationDeserializer" middleware in GetRecords stacks
// only (other operations are left alone) and hands the SDK's deserializer
// every response that is not an HTTP 200, so errors, throttling and
// retries behave exactly as without it. Signing, endpoints, retries and the
// returned *kinesis.GetRecordsOutput are the SDK's own.
func AddGetRecordsDecoder(stack *middleware.Stack) error {
	return addGetRecordsDecoder(stack, nil)
}

// addGetRecordsDecoder is AddGetRecordsDecoder decoding in buf's memory
// (nil: pooled memory).
func addGetRecordsDecoder(stack *middleware.Stack, buf *readBuffers) error {
	if stack.ID() != "GetRecords" {
		return nil
	}
	m := &getRecordsDeserializer{buf: buf}
	sdk, err := stack.Deserialize.Swap("OperationDeserializer", m)
	if err != nil {
		return fmt.Errorf("kinesis: install GetRecords decoder: %w", err)
	}
	if _, twice := sdk.(*getRecordsDeserializer); twice {
		_, err := stack.Deserialize.Swap("OperationDeserializer", sdk)
		return err
	}
	m.sdk = sdk
	if buf != nil && buf.cbor {
		return stack.Serialize.Insert(cborGetRecordsRequest{}, "OperationSerializer", middleware.After)
	}
	return nil
}

// readBuffers is the memory one reader decodes GetRecords responses in,
// one response after another: the body and the decoder's scratch. The
// Kinesis source gives each shard's reader its own for the length of a
// read and then drops it, so that nothing of a response outlives the read
// that asked for it: pooled, several megabytes a shard stayed live while
// the batch was decoded into rows, the engine's peak.
type readBuffers struct {
	// cbor: ask for responses in CBOR (see getrecords_cbor.go).
	cbor bool
	body []byte
	dec  decoder
	// page is the records of the last response decoded, which the
	// output's Records then leaves empty (see takePage).
	page *page
	// largest and largestPage are the length of the largest body read and
	// the number of records of the largest page decoded.
	largest, largestPage int
}

// takePage returns the records of res, the output of a call that decoded
// in b: the page decoded, or res's Records as the SDK decoded them.
func (b *readBuffers) takePage(res *kinesis.GetRecordsOutput) *page {
	p := b.page
	b.page = nil
	if p == nil {
		p = &page{sdk: res.Records}
	}
	return p
}

// decodeInto is the per-call form of AddGetRecordsDecoder for the Kinesis
// source, decoding in buf's memory; the records go to buf's page (see
// takePage), not to the output's Records.
func decodeInto(buf *readBuffers) func(*kinesis.Options) {
	return kinesis.WithAPIOptions(func(stack *middleware.Stack) error { return addGetRecordsDecoder(stack, buf) })
}

// getRecordsDeserializer keeps the SDK's ID so that anything positioned
// relative to the SDK's deserializer still finds it.
type getRecordsDeserializer struct {
	sdk middleware.DeserializeMiddleware
	buf *readBuffers // nil: pooled memory
}

func (*getRecordsDeserializer) ID() string { return "OperationDeserializer" }

func (m *getRecordsDeserializer) HandleDeserialize(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (
	out middleware.DeserializeOutput, md middleware.Metadata, err error,
) {
	out, md, err = next.HandleDeserialize(ctx, in)
	resp, ok := out.RawResponse.(*smithyhttp.Response)
	if err != nil || !ok || resp.StatusCode != http.StatusOK {
		if err == nil && ok && isCBOR(resp.Header.Get("Content-Type")) {
			if cerr := cborErrorAsJSON(resp); cerr != nil {
				return out, md, &smithy.DeserializationError{Err: cerr}
			}
		}
		return m.sdk.HandleDeserialize(ctx, in, received{out, md, err})
	}
	defer func() { smithyhttp.CloseResponseBody(ctx, resp, false, err) }()
	var res *kinesis.GetRecordsOutput
	if b := m.buf; b != nil {
		if b.body, err = readBodyInto(resp, b.body[:0]); err != nil {
			return out, md, &smithy.DeserializationError{Err: fmt.Errorf("read GetRecords response body: %w", err)}
		}
		b.largest = max(b.largest, len(b.body))
		b.dec.pages = true
		b.dec.cbor = isCBOR(resp.Header.Get("Content-Type"))
		res, err = b.dec.decode(b.body)
		b.page, b.dec.b, b.dec.page = b.dec.page, nil, nil
		b.largestPage = max(b.largestPage, len(b.dec.recs))
	} else {
		buf, rerr := readBody(resp)
		if rerr != nil {
			return out, md, &smithy.DeserializationError{Err: fmt.Errorf("read GetRecords response body: %w", rerr)}
		}
		res, err = DecodeGetRecords(*buf)
		putBody(buf)
	}
	if err != nil {
		return out, md, &smithy.DeserializationError{Err: err}
	}
	out.Result = res
	return out, md, nil
}

// received is a handler that returns what the inner handlers already did,
// for handing a response on to the SDK's deserializer.
type received struct {
	out middleware.DeserializeOutput
	md  middleware.Metadata
	err error
}

func (r received) HandleDeserialize(context.Context, middleware.DeserializeInput) (middleware.DeserializeOutput, middleware.Metadata, error) {
	return r.out, r.md, r.err
}

// Response bodies are read into pooled buffers sized from Content-Length:
// one read, no doubling, no clearing of fresh memory for each response.
// Buffers over maxPooledBody (more than a full 10 MB GetRecords response
// needs in base64) are not kept.
const maxPooledBody = 32 << 20

var bodies sync.Pool

func readBody(resp *smithyhttp.Response) (*[]byte, error) {
	buf, _ := bodies.Get().(*[]byte)
	if buf == nil {
		buf = new([]byte)
	}
	b, err := readBodyInto(resp, (*buf)[:0])
	*buf = b
	if err != nil {
		putBody(buf)
		return nil, err
	}
	return buf, nil
}

// readBodyInto reads resp's body into b (length 0), growing it to the
// Content-Length once if it is smaller. Without a Content-Length it
// starts from b's capacity, or 64 KiB.
func readBodyInto(resp *smithyhttp.Response, b []byte) ([]byte, error) {
	want := max(64<<10, cap(b))
	if n := resp.ContentLength; n >= 0 && n < maxPooledBody {
		want = int(n) + 1 // +1 to see EOF without growing
	}
	if cap(b) < want {
		b = make([]byte, 0, want)
	}
	for {
		if len(b) == cap(b) {
			// Doubling: append grows large slices by a quarter, a dozen
			// copies to reach a full page.
			b = append(make([]byte, 0, 2*cap(b)), b...)
		}
		n, err := resp.Body.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if errors.Is(err, io.EOF) {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

func putBody(buf *[]byte) {
	if cap(*buf) <= maxPooledBody {
		*buf = (*buf)[:0]
		bodies.Put(buf)
	}
}
