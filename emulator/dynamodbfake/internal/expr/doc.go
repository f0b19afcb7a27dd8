// Package expr models Amazon DynamoDB's attribute values and expression
// language (API version 2012-08-10) for the dynamodbfake server: values and
// their DynamoDB JSON encoding, condition and filter expressions, update
// expressions, projections, Query key conditions, and the legacy parameters
// (Expected, QueryFilter, ScanFilter, KeyConditions, AttributeUpdates,
// AttributesToGet) compiled to the same trees.
//
// One request uses one Env for its ExpressionAttributeNames and
// ExpressionAttributeValues, parses each of its expressions with it, then
// asks Env.CheckUnused for AWS's error about placeholders no expression used:
//
//	env := expr.NewEnv(req.ExpressionAttributeNames, req.ExpressionAttributeValues)
//	cond, err := expr.ParseCondition("ConditionExpression", req.ConditionExpression, env)
//	...
//	upd, err := expr.ParseUpdate(req.UpdateExpression, env)
//	...
//	if err := env.CheckUnused(); err != nil { ... }
//	if ok, _ := cond.Eval(stored); !ok { /* ConditionalCheckFailedException */ }
//	next, err := upd.Apply(stored)
//
// Every error returned has as its text the message DynamoDB puts in its
// ValidationException; the server sends it as such. The one exception is
// *SerializationError, for AttributeValue JSON of the wrong shape, which
// AWS answers with a SerializationException.
//
// # What matches DynamoDB
//
//   - Values: all ten types. Decoding rejects what DynamoDB rejects, with its
//     messages: no type or two types, NULL false, empty sets, duplicate set
//     members, numbers that are not numbers, have more than 38 significant
//     digits or lie outside 1E-130..9.9999999999999999999999999999999999999E+125,
//     invalid base64, null set members, values nested past level 32 (an
//     attribute is level 1). Numbers are
//     kept in the canonical form GetItem returns (plain notation, no leading
//     or trailing zeros, "-0" as "0") and compared and added exactly,
//     through math/big where int64 does not do.
//   - Item size: attribute names plus values, strings and binaries by length,
//     numbers by significant digits (one byte per pair, pairs aligned on the
//     decimal point, plus one, plus one more when negative), BOOL and NULL one
//     byte, lists and maps 3 bytes plus one per element. This reproduces the
//     sizes measured on DynamoDB for 23 number literals and for dense lists
//     and maps.
//   - Conditions: paths with map keys and list indexes, #name and :value
//     placeholders, the full list of reserved words, = <> < <= > >=,
//     BETWEEN, IN (at most 100 operands), AND, OR, NOT with DynamoDB's
//     precedence (NOT, then AND, then OR), parentheses, attribute_exists,
//     attribute_not_exists, attribute_type, begins_with, contains and size.
//     Comparing values of different types is false, not an error; <> is true
//     when either side is missing.
//   - Errors: syntax errors as `Invalid X: Syntax error; token: "t", near:
//     "..."`, reserved words, undefined placeholders, unknown functions and
//     functions used where they may not be, wrong operand counts and types
//     known before evaluation (a BOOL, NULL, set, list or map placeholder in
//     an ordering comparison or BETWEEN), redundant parentheses, identical
//     operands, BETWEEN bounds of different types or in the wrong order,
//     expressions over 4 KB, placeholder keys that are not placeholders
//     (Env.CheckKeys); when an expression has several faults, the one
//     DynamoDB reports first.
//   - Updates: SET (with + and -, if_not_exists, list_append, list indexes
//     past the end appending), REMOVE (list elements removed by their index
//     in the old item), ADD (numbers and sets; creates what is missing),
//     DELETE (set members; an emptied set removes the attribute); clauses in
//     any order, each at most once; overlapping and conflicting paths; every
//     operand read from the item as it was before the update; the runtime
//     errors ("The document path provided in the update expression is invalid
//     for update", "An operand in the update expression has an incorrect data
//     type", "The provided expression refers to an attribute that does not
//     exist in the item", number overflow).
//   - Projections keep the structure of the projected paths; list elements
//     keep their order.
//   - Key conditions: equality on the hash key, one sort-key condition
//     (= < <= > >= BETWEEN begins_with, either operand order) and AWS's errors
//     for everything else.
//   - Legacy parameters: every ComparisonOperator, Exists/Value, AND and OR,
//     AWS's messages for argument counts, mixed forms and types; legacy ADD
//     also appends lists, and its type errors read "Type mismatch for
//     attribute to update".
//
// # What does not
//
//   - The limit of 300 operators and functions in one expression, and the
//     sizes of ExpressionAttributeNames and ExpressionAttributeValues, are
//     not checked.
//   - The "near" text of a syntax error is the source from the token before
//     the offending one to the token after it; DynamoDB's choice of context
//     can differ for some inputs.
//   - Sets keep the order they were written in; DynamoDB returns members in
//     an order of its own.
//   - Number sizes follow the base-100 rule above. It matches every size
//     measured, but for digit patterns no measurement separates from a
//     simpler rule (a pair split by trailing zeros, as in 12000) it is an
//     inference.
//   - Checks that need the table — key attributes that an update may not
//     change, key value types against the schema, the 400 KB item limit,
//     key size limits — are the server's.
//   - An AttributeValue's unknown members and explicit nulls are ignored
//     rather than refused.
package expr
