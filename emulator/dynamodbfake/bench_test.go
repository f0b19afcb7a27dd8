package dynamodbfake_test

import (
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/streamcheck/streamcheck/emulator/dynamodbfake"
	"github.com/streamcheck/streamcheck/internal/cputime"
)

// The benchmarks send requests through the Go SDK over loopback from 4
// goroutines a core and report operations per second of wall time and the
// CPU time the whole process (SDK client and server) spent per operation:
// on a shared machine the wall-clock rate follows the neighbours, the CPU
// cost much less. BenchmarkServe* in serve_bench_test.go report the
// server's own share.

func processCPU() time.Duration {
	d, _ := cputime.Process()
	return d
}

func reportOps(b *testing.B, cpu time.Duration) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/op")
	}
}

const benchKeys = 10000

func benchEnv(b *testing.B, opts ...dynamodbfake.Option) *env {
	b.Helper()
	e := newEnv(b, opts...)
	e.createTable(b, "bench", "sk")
	return e
}

func benchItem(i int) item {
	return item{"pk": s(fmt.Sprintf("user-%05d", i%1000)), "sk": n(strconv.Itoa(i)), "name": s("some name"), "count": n("0"), "payload": s("0123456789abcdef0123456789abcdef")}
}

func parallel(b *testing.B, op func(i int) error) {
	var ctr atomic.Int64
	b.SetParallelism(4)
	b.ResetTimer()
	cpu0 := processCPU()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := op(int(ctr.Add(1))); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportOps(b, processCPU()-cpu0)
}

func seedBench(b *testing.B, e *env) {
	for i := 0; i < benchKeys; i++ {
		e.put(b, "bench", benchItem(i))
	}
}

// BenchmarkPutItem writes 6-attribute items over 10,000 keys.
func BenchmarkPutItem(b *testing.B) {
	e := benchEnv(b)
	parallel(b, func(i int) error {
		_, err := e.db.PutItem(b.Context(), &dynamodb.PutItemInput{TableName: aws.String("bench"), Item: benchItem(i % benchKeys)})
		return err
	})
}

// BenchmarkPutItemDurable is BenchmarkPutItem with a data directory: every
// answer waits for its write to be fsynced (group commit).
func BenchmarkPutItemDurable(b *testing.B) {
	e := benchEnv(b, dynamodbfake.WithDataDir(b.TempDir()))
	parallel(b, func(i int) error {
		_, err := e.db.PutItem(b.Context(), &dynamodb.PutItemInput{TableName: aws.String("bench"), Item: benchItem(i % benchKeys)})
		return err
	})
}

// BenchmarkGetItem reads single items by key.
func BenchmarkGetItem(b *testing.B) {
	e := benchEnv(b)
	seedBench(b, e)
	parallel(b, func(i int) error {
		it := benchItem(i % benchKeys)
		_, err := e.db.GetItem(b.Context(), &dynamodb.GetItemInput{TableName: aws.String("bench"), Key: item{"pk": it["pk"], "sk": it["sk"]}})
		return err
	})
}

// BenchmarkQuery reads one partition of 10 items a call.
func BenchmarkQuery(b *testing.B) {
	e := benchEnv(b)
	seedBench(b, e)
	parallel(b, func(i int) error {
		out, err := e.db.Query(b.Context(), &dynamodb.QueryInput{TableName: aws.String("bench"), KeyConditionExpression: aws.String("pk = :p"),
			ExpressionAttributeValues: item{":p": s(fmt.Sprintf("user-%05d", i%1000))}})
		if err == nil && out.Count != 10 {
			err = fmt.Errorf("query got %d items, want 10", out.Count)
		}
		return err
	})
}

// BenchmarkConditionalUpdateItem increments a counter on an existing item
// under a condition, the shape of a lease or checkpoint update.
func BenchmarkConditionalUpdateItem(b *testing.B) {
	e := benchEnv(b)
	seedBench(b, e)
	parallel(b, func(i int) error {
		it := benchItem(i % benchKeys)
		_, err := e.db.UpdateItem(b.Context(), &dynamodb.UpdateItemInput{TableName: aws.String("bench"), Key: item{"pk": it["pk"], "sk": it["sk"]},
			UpdateExpression: aws.String("SET #c = #c + :one, #o = :me"), ConditionExpression: aws.String("attribute_exists(pk) AND (attribute_not_exists(#o) OR #o = :me)"),
			ExpressionAttributeNames: map[string]string{"#c": "count", "#o": "owner"}, ExpressionAttributeValues: item{":one": n("1"), ":me": s("worker-1")}})
		return err
	})
}
