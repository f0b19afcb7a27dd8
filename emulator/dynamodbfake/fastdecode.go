package dynamodbfake

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"

	"github.com/streamcheck/streamcheck/emulator/dynamodbfake/internal/expr"
)

// The item operations and Query decode their requests with the walker
// below instead of encoding/json's reflection, which took a quarter of the
// server's time on UpdateItem. It handles the members those requests carry
// in practice; anything else (a legacy parameter, an escaped key, a null,
// a value that does not decode) makes it give up, and the request is
// decoded again by decodeRequest, which also words the errors.

// fastDecoder is an input with a hand-written decoder.
type fastDecoder interface {
	// decodeFast decodes b and reports whether it could; on false the
	// input is reset and decoded by decodeRequest.
	decodeFast(b []byte) bool
}

// walkObject calls f with each member of the JSON object b: its key and its
// raw value. It reports false on malformed JSON, an escaped key or f's false.
func walkObject(b []byte, f func(key string, val []byte) bool) bool {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return skipSpace(b, i+1) == len(b)
	}
	var seenBuf [16]string
	seen := seenBuf[:0]
	for {
		if i >= len(b) || b[i] != '"' {
			return false
		}
		end := bytes.IndexByte(b[i+1:], '"')
		if end < 0 {
			return false
		}
		key := b[i+1 : i+1+end]
		if bytes.IndexByte(key, '\\') >= 0 {
			return false
		}
		for _, k := range seen {
			if k == string(key) {
				return false // a repeated member: encoding/json merges maps
			}
		}
		seen = append(seen, string(key))
		i = skipSpace(b, i+2+end)
		if i >= len(b) || b[i] != ':' {
			return false
		}
		i = skipSpace(b, i+1)
		j := skipValue(b, i)
		if j < 0 || !f(string(key), b[i:j]) {
			return false
		}
		i = skipSpace(b, j)
		if i >= len(b) {
			return false
		}
		if b[i] == '}' {
			return skipSpace(b, i+1) == len(b)
		}
		if b[i] != ',' {
			return false
		}
		i = skipSpace(b, i+1)
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

// skipValue returns the position after the JSON value at b[i], or -1. It
// checks the nesting of brackets and the ends of strings; the decoders that
// read the value check the rest.
func skipValue(b []byte, i int) int {
	depth := 0
	for i < len(b) {
		switch c := b[i]; c {
		case '"':
			i++
			for i < len(b) && b[i] != '"' {
				if b[i] == '\\' {
					i++
				}
				i++
			}
			if i >= len(b) {
				return -1
			}
			i++
		case '{', '[':
			depth++
			i++
		case '}', ']':
			if depth == 0 {
				return i // the end of a scalar
			}
			depth--
			i++
		case ',', ':', ' ', '\n', '\r', '\t':
			if depth == 0 {
				return i
			}
			i++
		default:
			if c < 0x20 {
				return -1
			}
			i++
		}
		if depth == 0 && i > 0 && (b[i-1] == '"' || b[i-1] == '}' || b[i-1] == ']') {
			return i
		}
	}
	if depth != 0 {
		return -1
	}
	return i
}

// fastString decodes a JSON string without escapes.
func fastString(v []byte, dst *string) bool {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' || bytes.IndexByte(v, '\\') >= 0 {
		return false
	}
	body := v[1 : len(v)-1]
	for _, c := range body {
		if c < 0x20 {
			return false
		}
	}
	if !utf8.Valid(body) {
		return false // encoding/json replaces bad bytes with U+FFFD
	}
	*dst = string(body)
	return true
}

func fastStringPtr(v []byte, dst **string) bool {
	var s string
	if !fastString(v, &s) {
		return false
	}
	*dst = &s
	return true
}

func fastBool(v []byte, dst *bool) bool {
	switch string(v) {
	case "true":
		*dst = true
	case "false":
		*dst = false
	default:
		return false
	}
	return true
}

func fastBoolPtr(v []byte, dst **bool) bool {
	var x bool
	if !fastBool(v, &x) {
		return false
	}
	*dst = &x
	return true
}

func fastNames(v []byte, dst *map[string]string) bool {
	m := make(map[string]string, 2)
	ok := walkObject(v, func(k string, val []byte) bool {
		var s string
		if !fastString(val, &s) {
			return false
		}
		m[k] = s
		return true
	})
	if ok {
		*dst = m
	}
	return ok
}

func fastItem(v []byte, dst *expr.Item) bool {
	if len(v) == 0 || v[0] != '{' {
		return false
	}
	return dst.UnmarshalJSON(v) == nil
}

func fastValues(v []byte, dst *attributeValues) bool {
	if len(v) == 0 || v[0] != '{' {
		return false
	}
	return dst.UnmarshalJSON(v) == nil
}

func fastInt(v []byte, dst **int) bool {
	var n int
	if json.Unmarshal(v, &n) != nil || len(v) == 0 || v[0] == 'n' {
		return false
	}
	*dst = &n
	return true
}

// member decodes the members every expression-taking request shares.
func (p *exprParams) member(k string, v []byte) (handled, ok bool) {
	switch k {
	case "ExpressionAttributeNames":
		return true, fastNames(v, &p.ExpressionAttributeNames)
	case "ExpressionAttributeValues":
		return true, fastValues(v, &p.ExpressionAttributeValues)
	}
	return false, false
}

// writeMember decodes one of itemWriteParams' members; false for any other
// key (the request then takes the general decoder).
func (p *itemWriteParams) writeMember(k string, v []byte) bool {
	if h, ok := p.member(k, v); h {
		return ok
	}
	switch k {
	case "ConditionExpression":
		return fastStringPtr(v, &p.ConditionExpression)
	case "ReturnValues":
		return fastString(v, &p.ReturnValues)
	case "ReturnConsumedCapacity":
		return fastString(v, &p.ReturnConsumedCapacity)
	case "ReturnItemCollectionMetrics":
		return fastString(v, &p.ReturnItemCollectionMetrics)
	case "ReturnValuesOnConditionCheckFailure":
		return fastString(v, &p.ReturnValuesOnConditionCheckFailure)
	}
	return false
}

func (in *putItemInput) decodeFast(b []byte) bool {
	return walkObject(b, func(k string, v []byte) bool {
		switch k {
		case "TableName":
			return fastString(v, &in.TableName)
		case "Item":
			return fastItem(v, &in.Item)
		}
		return in.writeMember(k, v)
	})
}

func (in *deleteItemInput) decodeFast(b []byte) bool {
	return walkObject(b, func(k string, v []byte) bool {
		switch k {
		case "TableName":
			return fastString(v, &in.TableName)
		case "Key":
			return fastItem(v, &in.Key)
		}
		return in.writeMember(k, v)
	})
}

func (in *updateItemInput) decodeFast(b []byte) bool {
	return walkObject(b, func(k string, v []byte) bool {
		if h, ok := in.member(k, v); h {
			return ok
		}
		switch k {
		case "TableName":
			return fastString(v, &in.TableName)
		case "Key":
			return fastItem(v, &in.Key)
		case "UpdateExpression":
			return fastStringPtr(v, &in.UpdateExpression)
		case "ConditionExpression":
			return fastStringPtr(v, &in.ConditionExpression)
		case "ReturnValues":
			return fastString(v, &in.ReturnValues)
		case "ReturnConsumedCapacity":
			return fastString(v, &in.ReturnConsumedCapacity)
		case "ReturnItemCollectionMetrics":
			return fastString(v, &in.ReturnItemCollectionMetrics)
		case "ReturnValuesOnConditionCheckFailure":
			return fastString(v, &in.ReturnValuesOnConditionCheckFailure)
		}
		return false
	})
}

func (in *getItemInput) decodeFast(b []byte) bool {
	return walkObject(b, func(k string, v []byte) bool {
		switch k {
		case "TableName":
			return fastString(v, &in.TableName)
		case "Key":
			return fastItem(v, &in.Key)
		case "ProjectionExpression":
			return fastStringPtr(v, &in.ProjectionExpression)
		case "ExpressionAttributeNames":
			return fastNames(v, &in.ExpressionAttributeNames)
		case "ConsistentRead":
			return fastBool(v, &in.ConsistentRead)
		case "ReturnConsumedCapacity":
			return fastString(v, &in.ReturnConsumedCapacity)
		}
		return false
	})
}

func (in *queryInput) decodeFast(b []byte) bool {
	return walkObject(b, func(k string, v []byte) bool {
		if h, ok := in.member(k, v); h {
			return ok
		}
		switch k {
		case "TableName":
			return fastString(v, &in.TableName)
		case "IndexName":
			return fastString(v, &in.IndexName)
		case "KeyConditionExpression":
			return fastStringPtr(v, &in.KeyConditionExpression)
		case "FilterExpression":
			return fastStringPtr(v, &in.FilterExpression)
		case "ProjectionExpression":
			return fastStringPtr(v, &in.ProjectionExpression)
		case "Select":
			return fastString(v, &in.Select)
		case "Limit":
			return fastInt(v, &in.Limit)
		case "ConsistentRead":
			return fastBool(v, &in.ConsistentRead)
		case "ScanIndexForward":
			return fastBoolPtr(v, &in.ScanIndexForward)
		case "ExclusiveStartKey":
			return fastItem(v, &in.ExclusiveStartKey)
		case "ReturnConsumedCapacity":
			return fastString(v, &in.ReturnConsumedCapacity)
		}
		return false
	})
}
