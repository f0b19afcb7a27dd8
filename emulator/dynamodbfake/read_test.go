package dynamodbfake_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// seedOrders fills a gsiTableInput table: customers c0..c2, 10 orders each
// (sk 0..9), g set on even orders only (a sparse GSI), lsk on all.
func seedOrders(t *testing.T, e *env) {
	t.Helper()
	if _, err := e.db.CreateTable(t.Context(), gsiTableInput("orders")); err != nil {
		t.Fatal(err)
	}
	for c := 0; c < 3; c++ {
		for i := 0; i < 10; i++ {
			it := item{"pk": s(fmt.Sprintf("c%d", c)), "sk": n(fmt.Sprint(i)), "lsk": s(fmt.Sprintf("l%02d", 9-i)),
				"extra": s("e"), "other": s("o"), "amount": n(fmt.Sprint(i * 10))}
			if i%2 == 0 {
				it["g"] = s("even")
			}
			e.put(t, "orders", it)
		}
	}
}

func sks(items []item) []string {
	var out []string
	for _, it := range items {
		out = append(out, num(it, "sk"))
	}
	return out
}

func TestQuery(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seedOrders(t, e)
	ctx := t.Context()
	for _, tc := range []struct {
		name string
		in   dynamodb.QueryInput
		want string // sk values joined by ","
	}{
		{"hash only", dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item{":p": s("c1")}}, "0,1,2,3,4,5,6,7,8,9"},
		{"between", dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND sk BETWEEN :a AND :b"), ExpressionAttributeValues: item{":p": s("c1"), ":a": n("3"), ":b": n("5")}}, "3,4,5"},
		{"less than, backwards", dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND sk < :a"), ScanIndexForward: aws.Bool(false), ExpressionAttributeValues: item{":p": s("c1"), ":a": n("3")}}, "2,1,0"},
		{"greater or equal", dynamodb.QueryInput{KeyConditionExpression: aws.String("#p = :p AND sk >= :a"), ExpressionAttributeNames: map[string]string{"#p": "pk"}, ExpressionAttributeValues: item{":p": s("c1"), ":a": n("8")}}, "8,9"},
		{"filter after the key", dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), FilterExpression: aws.String("amount > :m"), ExpressionAttributeValues: item{":p": s("c2"), ":m": n("60")}}, "7,8,9"},
		{"sparse GSI", dynamodb.QueryInput{IndexName: aws.String("by-g"), KeyConditionExpression: aws.String("g = :g AND sk <= :s"), ExpressionAttributeValues: item{":g": s("even"), ":s": n("2")}}, "0,0,0,2,2,2"},
		{"LSI order", dynamodb.QueryInput{IndexName: aws.String("by-lsk"), KeyConditionExpression: aws.String("pk = :p AND begins_with(lsk, :l)"), ExpressionAttributeValues: item{":p": s("c0"), ":l": s("l0")}}, "9,8,7,6,5,4,3,2,1,0"},
		{"legacy KeyConditions", dynamodb.QueryInput{KeyConditions: map[string]types.Condition{
			"pk": {ComparisonOperator: types.ComparisonOperatorEq, AttributeValueList: []types.AttributeValue{s("c0")}},
			"sk": {ComparisonOperator: types.ComparisonOperatorGt, AttributeValueList: []types.AttributeValue{n("7")}}}}, "8,9"},
		{"no such partition", dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item{":p": s("zz")}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.TableName = aws.String("orders")
			out, err := e.db.Query(ctx, &in)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(sks(out.Items), ","); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
	// KEYS_ONLY GSI projection and INCLUDE LSI projection.
	out, err := e.db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("orders"), IndexName: aws.String("by-g"), Limit: aws.Int32(1),
		KeyConditionExpression: aws.String("g = :g"), ExpressionAttributeValues: item{":g": s("even")}})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(out.Items[0]); got != 3 {
		t.Errorf("KEYS_ONLY GSI item: got %v, want pk, sk and g only", out.Items[0])
	}
	if lek := out.LastEvaluatedKey; len(lek) != 3 || lek["g"] == nil {
		t.Errorf("GSI LastEvaluatedKey: got %v, want table and index keys", lek)
	}
	out, err = e.db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("orders"), IndexName: aws.String("by-lsk"), Limit: aws.Int32(1),
		KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item{":p": s("c0")}})
	if err != nil {
		t.Fatal(err)
	}
	if it := out.Items[0]; it["extra"] == nil || it["other"] != nil {
		t.Errorf("INCLUDE LSI item: got %v, want extra but not other", it)
	}
	// Select COUNT.
	cnt, err := e.db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("orders"), Select: types.SelectCount,
		KeyConditionExpression: aws.String("pk = :p"), FilterExpression: aws.String("amount >= :m"), ExpressionAttributeValues: item{":p": s("c0"), ":m": n("50")}})
	if err != nil {
		t.Fatal(err)
	}
	if cnt.Count != 5 || cnt.ScannedCount != 10 || cnt.Items != nil {
		t.Errorf("Select COUNT: got count %d scanned %d items %v, want 5, 10, none", cnt.Count, cnt.ScannedCount, cnt.Items)
	}
	// Errors.
	for _, tc := range []struct {
		name string
		in   dynamodb.QueryInput
		msg  string
	}{
		{"consistent read on a GSI", dynamodb.QueryInput{IndexName: aws.String("by-g"), ConsistentRead: aws.Bool(true), KeyConditionExpression: aws.String("g = :g"), ExpressionAttributeValues: item{":g": s("even")}},
			"Consistent reads are not supported on global secondary indexes"},
		{"ALL_ATTRIBUTES on a KEYS_ONLY GSI", dynamodb.QueryInput{IndexName: aws.String("by-g"), Select: types.SelectAllAttributes, KeyConditionExpression: aws.String("g = :g"), ExpressionAttributeValues: item{":g": s("even")}},
			"One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index by-g because its projection type is not ALL"},
		{"no key condition", dynamodb.QueryInput{}, "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."},
		{"unknown index", dynamodb.QueryInput{IndexName: aws.String("nope"), KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item{":p": s("c0")}},
			"The table does not have the specified index: nope"},
		{"wrong hash type", dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item{":p": n("1")}},
			"One or more parameter values were invalid: Condition parameter type does not match schema type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.TableName = aws.String("orders")
			_, err := e.db.Query(ctx, &in)
			wantErr(t, tc.name, err, "ValidationException", tc.msg)
		})
	}
}

func TestQueryPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seedOrders(t, e)
	for _, forward := range []bool{true, false} {
		var got []string
		var start item
		pages := 0
		for {
			out, err := e.db.Query(t.Context(), &dynamodb.QueryInput{TableName: aws.String("orders"), Limit: aws.Int32(4), ExclusiveStartKey: start,
				ScanIndexForward: aws.Bool(forward), KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item{":p": s("c2")}})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			got = append(got, sks(out.Items)...)
			if out.LastEvaluatedKey == nil {
				break
			}
			start = out.LastEvaluatedKey
		}
		want := "0,1,2,3,4,5,6,7,8,9"
		if !forward {
			want = "9,8,7,6,5,4,3,2,1,0"
		}
		if strings.Join(got, ",") != want || pages != 3 {
			t.Errorf("forward=%v: got %v in %d pages, want %s in 3", forward, got, pages, want)
		}
	}
}

func TestScan(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seedOrders(t, e)
	ctx := t.Context()
	all := func(in dynamodb.ScanInput) ([]string, int) {
		t.Helper()
		in.TableName = aws.String("orders")
		var keys []string
		pages := 0
		for {
			out, err := e.db.Scan(ctx, &in)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, it := range out.Items {
				keys = append(keys, str(it, "pk")+"/"+num(it, "sk"))
			}
			if out.LastEvaluatedKey == nil {
				return keys, pages
			}
			in.ExclusiveStartKey = out.LastEvaluatedKey
		}
	}
	whole, _ := all(dynamodb.ScanInput{})
	if len(whole) != 30 {
		t.Fatalf("Scan: got %d items, want 30", len(whole))
	}
	paged, pages := all(dynamodb.ScanInput{Limit: aws.Int32(7)})
	if strings.Join(paged, " ") != strings.Join(whole, " ") || pages != 5 {
		t.Errorf("Scan in pages of 7: got %d items in %d pages, want the same 30 in 5", len(paged), pages)
	}
	var segs []string
	for seg := int32(0); seg < 4; seg++ {
		got, _ := all(dynamodb.ScanInput{Segment: aws.Int32(seg), TotalSegments: aws.Int32(4), Limit: aws.Int32(3)})
		segs = append(segs, got...)
	}
	sort.Strings(segs)
	sorted := append([]string(nil), whole...)
	sort.Strings(sorted)
	if strings.Join(segs, " ") != strings.Join(sorted, " ") {
		t.Errorf("4 segments: got %v, want every item once", segs)
	}
	gsi, _ := all(dynamodb.ScanInput{IndexName: aws.String("by-g")})
	if len(gsi) != 15 {
		t.Errorf("Scan of the sparse GSI: got %d items, want 15", len(gsi))
	}
	cnt, err := e.db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("orders"), Select: types.SelectCount,
		FilterExpression: aws.String("amount = :z"), ExpressionAttributeValues: item{":z": n("0")}})
	if err != nil || cnt.Count != 3 || cnt.ScannedCount != 30 {
		t.Errorf("Scan COUNT: got %v %v, want count 3 of 30", cnt, err)
	}
	_, err = e.db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("orders"), Segment: aws.Int32(4), TotalSegments: aws.Int32(4)})
	wantErr(t, "segment out of range", err, "ValidationException", "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 4 is not less than TotalSegments: 4")
	_, err = e.db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("orders"), Segment: aws.Int32(1)})
	wantErr(t, "segment without a total", err, "ValidationException", "The TotalSegments parameter is required but was not present in the request when Segment parameter is present")
}

func TestScanMegabytePages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createTable(t, "big-items", "")
	v := strings.Repeat("x", 100*1024)
	for i := 0; i < 25; i++ { // 2.5 MB
		e.put(t, "big-items", item{"pk": s(fmt.Sprintf("k%02d", i)), "v": s(v)})
	}
	var sizes []int
	var start item
	for {
		out, err := e.db.Scan(t.Context(), &dynamodb.ScanInput{TableName: aws.String("big-items"), ExclusiveStartKey: start, ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(out.Items))
		if u := aws.ToFloat64(out.ConsumedCapacity.CapacityUnits); len(out.Items) == 10 && u != 125.5 {
			t.Errorf("a page of ten 102,406-byte items: got %v read units, want 125.5 (1,024,060 bytes in 4 KB units, halved)", u)
		}
		if out.LastEvaluatedKey == nil {
			break
		}
		start = out.LastEvaluatedKey
	}
	if fmt.Sprint(sizes) != "[10 10 5]" {
		t.Errorf("pages of 100 KB items: got %v items a page, want [10 10 5] (1 MB pages)", sizes)
	}
}
