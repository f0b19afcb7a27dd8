package dynamodbfake

import (
	"reflect"
	"testing"
)

var fastSeeds = []struct{ op, body string }{
	{"PutItem", `{"TableName":"t1","Item":{"pk":{"S":"a"},"n":{"N":"1.50"},"l":{"L":[{"M":{"x":{"BOOL":true}}}]}},"ConditionExpression":"attribute_not_exists(pk)","ReturnValues":"ALL_OLD"}`},
	{"PutItem", ` { "TableName" : "t1" , "Item" : { "pk" : { "S" : "a b" } } } `},
	{"PutItem", `{"TableName":"t\u0031","Item":{"pk":{"S":"a"}}}`},
	{"PutItem", `{"TableName":"t1","Item":{"pk":{"S":"a"}},"Expected":{"pk":{"Exists":false}}}`},
	{"GetItem", `{"TableName":"t1","Key":{"pk":{"S":"a"}},"ConsistentRead":true,"ProjectionExpression":"#a","ExpressionAttributeNames":{"#a":"b"}}`},
	{"GetItem", `{"TableName":"t1","Key":{"pk":{"S":"a"}},"ConsistentRead":null}`},
	{"UpdateItem", `{"TableName":"t1","Key":{"pk":{"S":"a"}},"UpdateExpression":"SET a = :v","ExpressionAttributeValues":{":v":{"SS":["x","y"]}},"ReturnValues":"UPDATED_NEW"}`},
	{"DeleteItem", `{"TableName":"t1","Key":{"pk":{"S":"a"}},"ReturnValuesOnConditionCheckFailure":"ALL_OLD","ConditionExpression":"a = :v","ExpressionAttributeValues":{":v":{"B":"AAE="}}}`},
	{"Query", `{"TableName":"t1","IndexName":"i","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"a"}},"Limit":5,"ScanIndexForward":false,"ExclusiveStartKey":{"pk":{"S":"a"}},"Select":"COUNT"}`},
	{"Query", `{"TableName":"t1","Limit":5.5}`},
	{"Query", `{"TableName":"t1","Limit":[5]}`},
	{"Query", `{}`},
}

// decodeBoth decodes body for op both ways; fast reports whether the fast
// decoder took it.
func decodeBoth(t *testing.T, op string, body []byte) (fast, slow any, took bool) {
	t.Helper()
	mk := map[string]func() (fastDecoder, any){
		"PutItem":    func() (fastDecoder, any) { return new(putItemInput), new(putItemInput) },
		"GetItem":    func() (fastDecoder, any) { return new(getItemInput), new(getItemInput) },
		"UpdateItem": func() (fastDecoder, any) { return new(updateItemInput), new(updateItemInput) },
		"DeleteItem": func() (fastDecoder, any) { return new(deleteItemInput), new(deleteItemInput) },
		"Query":      func() (fastDecoder, any) { return new(queryInput), new(queryInput) },
	}[op]
	f, s := mk()
	took = f.decodeFast(body)
	if took && decodeRequest(body, s) != nil {
		t.Fatalf("%s %s: the fast decoder took a body decodeRequest refuses", op, body)
	}
	return f, s, took
}

func TestFastDecodeMatchesSlow(t *testing.T) {
	took := 0
	for _, sd := range fastSeeds {
		f, s, ok := decodeBoth(t, sd.op, []byte(sd.body))
		if !ok {
			continue
		}
		took++
		if !reflect.DeepEqual(f, s) {
			t.Errorf("%s %s:\nfast %+v\nslow %+v", sd.op, sd.body, f, s)
		}
	}
	if took < 7 {
		t.Errorf("the fast decoder took %d of the plain bodies, want at least 7", took)
	}
}

// FuzzFastDecode: whatever the fast decoder accepts, it decodes as
// encoding/json does.
func FuzzFastDecode(f *testing.F) {
	ops := []string{"PutItem", "GetItem", "UpdateItem", "DeleteItem", "Query"}
	for _, sd := range fastSeeds {
		for i, op := range ops {
			if op == sd.op {
				f.Add(uint8(i), sd.body)
			}
		}
	}
	f.Fuzz(func(t *testing.T, opIndex uint8, body string) {
		op := ops[int(opIndex)%len(ops)]
		fast, slow, took := decodeBoth(t, op, []byte(body))
		if took && !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%s %q:\nfast %+v\nslow %+v", op, body, fast, slow)
		}
	})
}

func TestFastDecodeRepeatedMember(t *testing.T) {
	body := []byte(`{"TableName":"t1","Item":{"pk":{"S":"a"}},"Item":{"x":{"S":"b"}}}`)
	if new(putItemInput).decodeFast(body) {
		t.Error("the fast decoder took a body with a repeated member, want it left to encoding/json")
	}
}
