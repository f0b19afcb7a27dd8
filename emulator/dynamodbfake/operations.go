package dynamodbfake

// operations is the dispatch table: X-Amz-Target's operation name to its
// handler. Each handler lives in a file named after the operation.
var operations map[string]handler

func init() {
	operations = map[string]handler{
		"BatchGetItem":       handle(batchGetItem),
		"BatchWriteItem":     handle(batchWriteItem),
		"CreateTable":        handle(createTable),
		"DeleteItem":         handle(deleteItem),
		"DeleteTable":        handle(deleteTable),
		"DescribeEndpoints":  handle(describeEndpoints),
		"DescribeLimits":     handle(describeLimits),
		"DescribeTable":      handle(describeTable),
		"DescribeTimeToLive": handle(describeTimeToLive),
		"GetItem":            handle(getItem),
		"ListTables":         handle(listTables),
		"ListTagsOfResource": handle(listTagsOfResource),
		"PutItem":            handle(putItem),
		"Query":              handle(query),
		"Scan":               handle(scan),
		"TagResource":        handle(tagResource),
		"TransactGetItems":   handle(transactGetItems),
		"TransactWriteItems": handle(transactWriteItems),
		"UntagResource":      handle(untagResource),
		"UpdateItem":         handle(updateItem),
		"UpdateTable":        handle(updateTable),
		"UpdateTimeToLive":   handle(updateTimeToLive),
	}
}
