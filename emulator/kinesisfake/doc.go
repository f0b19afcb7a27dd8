// Package kinesisfake is an in-process Amazon Kinesis Data Streams server that
// the unmodified AWS SDKs use exactly as they use AWS, over AWS JSON 1.1 or
// CBOR on HTTP/1.1 or cleartext HTTP/2.
//
// A Server is an http.Handler. New builds one from functional options
// (WithClock, WithSeed, WithFaults, WithDataDir, WithLimits, ...); Start
// listens on 127.0.0.1 and URL gives the endpoint to hand to an SDK client:
//
//	srv, err := kinesisfake.New(kinesisfake.WithClock(clk))
//	if err != nil { ... }
//	if err := srv.Start(); err != nil { ... }
//	defer srv.Close()
//	client := kinesis.NewFromConfig(cfg, func(o *kinesis.Options) {
//		o.BaseEndpoint = aws.String(srv.URL())
//	})
//
// Records are held per shard in append-only chunks with a compact index, and
// sequence numbers, arrival timestamps and shard iterators are produced on
// demand. With WithDataDir every acknowledged write is in an append-only,
// checksummed log (fsyncs grouped across concurrent writers) before the
// response goes out, and New replays it.
//
// Every request is offered to a fault.Injector before it is handled, so a test
// can fail, delay or drop any operation on any stream or shard. Time, for
// iterator expiry, retention, rate limits, status changes and arrival
// timestamps, comes from the injected clock.
//
// Requests are checked in AWS's order and answered in AWS's words: a CORS
// preflight (OPTIONS with an Origin) is answered; a method other than POST or
// a content type other than AWS JSON 1.1 or CBOR gets AWS's 403 XML answer
// (MissingAuthenticationTokenException unsigned, AccessDeniedException
// signed); then the operation (UnknownOperationException), the body
// (SerializationException, with AWS's "Message" casing and conversion
// wording; a number with a fraction or beyond a 32-bit Integer's range is
// not refused but truncated and held to that range, as AWS converts it, then
// validated — except a whole number that fits 64 bits, which is validated
// as sent), the credentials (MissingAuthenticationTokenException,
// IncompleteSignatureException; signatures are not verified) and the
// operation's model constraints, all of them in one ValidationException,
// before anything is looked up. Operations without output answer an empty
// body.
//
// Each operation lives in its own file, which opens with what matches AWS and
// what does not.
package kinesisfake
