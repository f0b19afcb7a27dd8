package emulator_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/streamcheck/streamcheck/clock"
	"github.com/streamcheck/streamcheck/emulator"
)

// testBackend is registered once for the tests below; it records the
// configuration Start hands it and what closing the stack ran.
const testBackend emulator.Backend = "registry-test"

var (
	gotConfig emulator.BackendConfig
	closed    []string
)

func init() {
	emulator.RegisterBackend(testBackend, func(_ context.Context, c emulator.BackendConfig) (*emulator.Stack, error) {
		gotConfig = c
		s := &emulator.Stack{Backend: testBackend, Region: c.Region, KinesisURL: "http://127.0.0.1:1", S3URL: "http://127.0.0.1:1"}
		s.OnClose(func() error { closed = append(closed, "first"); return nil })
		s.OnClose(func() error { closed = append(closed, "second"); return nil })
		if c.Getenv("FAIL") != "" {
			return s, errors.New("backend refused")
		}
		return s, nil
	})
}

func TestRegisteredBackend(t *testing.T) {
	closed = nil
	env := map[string]string{"STREAMCHECK_BACKEND": string(testBackend)}
	s, err := emulator.Start(t.Context(), emulator.WithGetenv(func(k string) string { return env[k] }),
		emulator.WithLocalStackImage("ls:1"), emulator.WithKafkaImage("rp:2"), emulator.WithRegion("eu-west-3"))
	if err != nil {
		t.Fatalf("Start(%s): %v", testBackend, err)
	}
	if gotConfig.LocalStackImage != "ls:1" || gotConfig.KafkaImage != "rp:2" || gotConfig.Region != "eu-west-3" || gotConfig.Getenv == nil {
		t.Errorf("BackendConfig = %+v, want images ls:1 and rp:2, region eu-west-3 and a Getenv", gotConfig)
	}
	if s.AWSConfig.Region != "eu-west-3" {
		t.Errorf("AWSConfig.Region = %q, want the stack's region filled in by Start", s.AWSConfig.Region)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if len(closed) != 2 || closed[0] != "second" || closed[1] != "first" {
		t.Errorf("closers ran %v, want [second first]", closed)
	}

	closed = nil
	env = map[string]string{"FAIL": "1"}
	_, err = emulator.Start(t.Context(), emulator.WithBackend(testBackend), emulator.WithGetenv(func(k string) string { return env[k] }))
	if err == nil || len(closed) != 2 {
		t.Errorf("Start on a failing backend = %v, closers ran %v; want the error and everything closed", err, closed)
	}
}

func TestRegisterBackendTwicePanics(t *testing.T) {
	for _, b := range []emulator.Backend{testBackend, emulator.Embedded} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("RegisterBackend(%q) again did not panic", b)
				}
			}()
			emulator.RegisterBackend(b, func(context.Context, emulator.BackendConfig) (*emulator.Stack, error) { return nil, nil })
		}()
	}
}

// TestStackClock shows the stack-wide clock reaching the emulators: an S3
// object's LastModified is the fake clock's time, not the wall clock's.
func TestStackClock(t *testing.T) {
	at := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	clk := clock.NewFake(at)
	s, err := emulator.Start(t.Context(), emulator.WithBackend(emulator.Embedded), emulator.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := s.S3Client()
	if _, err := c.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String("clocked")}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	if _, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("clocked"), Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	head, err := c.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String("clocked"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	if want := at.Add(time.Hour); !aws.ToTime(head.LastModified).Equal(want) {
		t.Errorf("LastModified = %v, want the stack clock's %v", aws.ToTime(head.LastModified), want)
	}
	if _, err := emulator.Start(t.Context(), emulator.WithClock(nil)); err == nil {
		t.Error("Start(WithClock(nil)) succeeded, want an error")
	}
}
