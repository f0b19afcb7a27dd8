package dynamodbfake_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestTTLOnVirtualClock(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createTable(t, "sessions", "")
	ctx := t.Context()
	if _, err := e.db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String("sessions"),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("exp"), Enabled: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	now := epoch.Unix()
	e.put(t, "sessions", item{"pk": s("soon"), "exp": n(fmt.Sprint(now + 60))})
	e.put(t, "sessions", item{"pk": s("later"), "exp": n(fmt.Sprint(now + 3600))})
	e.put(t, "sessions", item{"pk": s("string-exp"), "exp": s(fmt.Sprint(now))})
	e.put(t, "sessions", item{"pk": s("no-exp")})
	count := func() int32 {
		out, err := e.db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("sessions"), Select: types.SelectCount})
		if err != nil {
			t.Fatal(err)
		}
		return out.Count
	}
	if got := count(); got != 4 {
		t.Fatalf("before expiry: got %d items, want 4", got)
	}
	e.clk.Advance(61 * time.Second)
	if got := count(); got != 3 {
		t.Errorf("61 s later, swept lazily by the read: got %d items, want 3", got)
	}
	if got := e.get(t, "sessions", item{"pk": s("soon")}); got != nil {
		t.Errorf("GetItem of the expired item: got %v", got)
	}
	e.clk.Advance(time.Hour)
	n, err := e.srv.SweepExpired()
	if err != nil || n != 1 {
		t.Errorf("SweepExpired an hour later: got %d, %v; want 1 item", n, err)
	}
	if got := count(); got != 2 {
		t.Errorf("after the sweep: got %d items, want 2 (no TTL number)", got)
	}
}
