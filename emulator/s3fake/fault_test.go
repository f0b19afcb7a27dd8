package s3fake

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/emulator/fault"
)

func TestFaultSlowDownOnNthPut(t *testing.T) {
	ctx := t.Context()
	srv, _ := setup(t)
	c := newClient(srv.URL(), noRetry)
	mustCreateBucket(t, c, "flt")
	// 503 SlowDown on the third PUT under out/.
	if _, err := srv.Faults().Add(fault.Rule{Service: fault.ServiceS3, Operation: "PutObject", Resource: "flt", KeyPrefix: "out/",
		Skip: 2, Times: 1, Action: fault.ActionError, Code: "SlowDown", Status: 503, Message: "Please reduce your request rate."}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, c, "flt", "elsewhere/1", nil) // not under the prefix: not counted
	var got []string
	for i := 1; i <= 4; i++ {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("flt"), Key: aws.String(fmt.Sprintf("out/%d", i)), Body: bytes.NewReader(nil)})
		got = append(got, fmt.Sprintf("%s/%d", errCode(err), errStatus(err)))
	}
	if want := []string{"/0", "/0", "SlowDown/503", "/0"}; !equal(got, want) {
		t.Errorf("PUT outcomes: got %q, want %q", got, want)
	}
	_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("flt"), Key: aws.String("out/3")})
	wantErr(t, "HeadObject of the refused PUT", err, "NotFound", 404)

	// With its default retries the SDK rides over one SlowDown.
	srv.Faults().Clear()
	id, _ := srv.Faults().Add(fault.Rule{Operation: "PutObject", Times: 1, Action: fault.ActionError, Code: "SlowDown", Status: 503})
	mustPut(t, newClient(srv.URL()), "flt", "retried", []byte("x"))
	if r := srv.Faults().Rules(); len(r) != 1 || r[0].ID != id || r[0].Fired != 1 {
		t.Errorf("rule after a retried PUT: got %+v, want fired once", r)
	}
}

func TestFaultDelayOnSharedClock(t *testing.T) {
	fc := clock.NewFake(time.Date(2026, 11, 22, 13, 0, 0, 0, time.UTC))
	srv, c := setup(t, WithClock(fc))
	mustCreateBucket(t, c, "flt")
	mustPut(t, c, "flt", "k", []byte("v"))
	if _, err := srv.Faults().Add(fault.Rule{Operation: "GetObject", Delay: 30 * time.Second, Times: 1}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("flt"), Key: aws.String("k")})
		done <- err
	}()
	for fc.Waiters() == 0 {
		time.Sleep(time.Millisecond)
	}
	select {
	case err := <-done:
		t.Fatalf("GetObject finished before the clock moved: %v", err)
	default:
	}
	fc.Advance(30 * time.Second)
	if err := <-done; err != nil {
		t.Fatalf("GetObject after the delay: %v", err)
	}
}

func TestFaultDropMidUpload(t *testing.T) {
	ctx := t.Context()
	srv, _ := setup(t)
	c := newClient(srv.URL(), noRetry)
	mustCreateBucket(t, c, "flt")
	if _, err := srv.Faults().Add(fault.Rule{Operation: "PutObject", KeyPrefix: "drop/", Times: 1, Action: fault.ActionDrop}); err != nil {
		t.Fatal(err)
	}
	body := bytes.Repeat([]byte("d"), 1<<20)
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("flt"), Key: aws.String("drop/1"), Body: bytes.NewReader(body)})
	if err == nil || errCode(err) != "" {
		t.Fatalf("PutObject with a dropped connection: got %v, want a transport error without an AWS code", err)
	}
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("flt"), Key: aws.String("drop/1")})
	wantErr(t, "HeadObject after the drop", err, "NotFound", 404)
	// The rule fired once; the retrying default client stores the next one.
	if _, err := srv.Faults().Add(fault.Rule{Operation: "PutObject", KeyPrefix: "drop/", Times: 1, Action: fault.ActionDrop}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, newClient(srv.URL()), "flt", "drop/2", body)
	if got := mustGet(t, c, "flt", "drop/2"); !bytes.Equal(got, body) {
		t.Errorf("drop/2 after retry: got %d bytes, want %d", len(got), len(body))
	}
}
