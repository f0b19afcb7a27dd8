package expr_test

import (
	"encoding/json"
	"fmt"

	"github.com/streamcheck/streamcheck/emulator/dynamodbfake/internal/expr"
)

// A conditional update as UpdateItem runs it: parse both expressions with
// one Env, check the placeholders, evaluate the condition, apply the update.
func Example() {
	var stored expr.Item
	if err := json.Unmarshal([]byte(`{"pk":{"S":"shard-1"},"count":{"N":"41"},"owner":{"S":"w3"}}`), &stored); err != nil {
		panic(err)
	}
	env := expr.NewEnv(
		map[string]string{"#c": "count", "#o": "owner"},
		map[string]expr.Value{
			":one":   {Type: expr.TypeN, N: "1"},
			":owner": {Type: expr.TypeS, S: "w7"},
			":prev":  {Type: expr.TypeS, S: "w3"},
		})
	cond, err := expr.ParseCondition("ConditionExpression", "attribute_not_exists(pk) OR #o = :prev", env)
	if err != nil {
		panic(err)
	}
	upd, err := expr.ParseUpdate("SET #c = #c + :one, #o = :owner", env)
	if err != nil {
		panic(err)
	}
	if err := env.CheckUnused(); err != nil {
		panic(err)
	}
	ok, _ := cond.Eval(stored)
	fmt.Println("condition:", ok)
	next, err := upd.Apply(stored)
	if err != nil {
		panic(err)
	}
	out, _ := json.Marshal(next)
	fmt.Println(string(out))
	// Output:
	// condition: true
	// {"count":{"N":"42"},"owner":{"S":"w7"},"pk":{"S":"shard-1"}}
}

// Errors carry DynamoDB's own messages.
func ExampleParseCondition_error() {
	_, err := expr.ParseCondition("ConditionExpression", "status = :s", expr.NewEnv(nil, map[string]expr.Value{":s": {Type: expr.TypeS, S: "x"}}))
	fmt.Println(err)
	_, err = expr.ParseUpdate("SET a = :v REMOVE a.b", expr.NewEnv(nil, map[string]expr.Value{":v": {Type: expr.TypeS, S: "x"}}))
	fmt.Println(err)
	// Output:
	// Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status
	// Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]
}

// Numbers are kept in the canonical form DynamoDB returns.
func ExampleParseNumber() {
	for _, s := range []string{"1.50", "-0", "1e3", "1e126"} {
		n, err := expr.ParseNumber(s)
		fmt.Printf("%q %v\n", n, err)
	}
	// Output:
	// "1.5" <nil>
	// "0" <nil>
	// "1000" <nil>
	// "" Number overflow. Attempting to store a number with magnitude larger than supported range
}
