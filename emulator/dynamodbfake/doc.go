// Package dynamodbfake is an in-process Amazon DynamoDB endpoint that the
// unmodified AWS SDKs and the AWS CLI use exactly as they use AWS, over AWS
// JSON 1.0 on HTTP/1.1 or cleartext HTTP/2.
//
// A Server is an http.Handler that answers requests whose X-Amz-Target
// starts with TargetPrefix, so it can be mounted behind a router. New builds
// one from options (WithClock, WithSeed, WithFaults, WithDataDir,
// WithTableStatusDelay, WithThroughputEnforcement, ...); Start listens on
// 127.0.0.1 and URL gives the endpoint to hand to an SDK client:
//
//	srv, err := dynamodbfake.New(dynamodbfake.WithClock(clk))
//	if err != nil { ... }
//	if err := srv.Start(); err != nil { ... }
//	defer srv.Close()
//	client := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
//		o.BaseEndpoint = aws.String(srv.URL())
//	})
//
// Tables hold their items in partitions ordered by a hash of the partition
// key, items within a partition ordered by sort key; local and global
// secondary indexes are kept in step on every write and share the items.
// Condition, filter, update, projection and key-condition expressions, and
// the legacy parameters older clients send (Expected, AttributeUpdates,
// KeyConditions, QueryFilter, ScanFilter, AttributesToGet), are compiled by
// package internal/expr with AWS's error messages.
//
// Each table has its own lock; a transaction takes the locks of its tables
// in name order. With WithDataDir every acknowledged write is in an
// append-only, checksummed log (fsyncs grouped across concurrent writers)
// before the answer goes out, and New replays it, then rewrites it as a
// snapshot of the live tables.
//
// Items whose time-to-live attribute (a number of epoch seconds) has passed
// on the clock are deleted by SweepExpired, which a stack can call on a
// schedule, and lazily, at most once a second of the clock, by the
// operations that read or write a table. AWS may still return expired items
// for days until its background sweep deletes them; here they go as soon
// as a sweep runs.
//
// Every request is offered to a fault.Injector (service "dynamodb", the
// operation name and the table name) before it is handled, so a test can
// fail, delay or drop any operation on any table. Time, for table status
// changes, TTL expiry, idempotency tokens and throughput windows, comes from
// the injected clock.
//
// Each operation lives in its own file, which opens with what matches AWS
// and what does not. PartiQL, backups, exports and imports, global tables
// and streams are not served (UnknownOperationException).
package dynamodbfake
