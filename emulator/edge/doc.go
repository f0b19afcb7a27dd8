// Package edge serves Kinesis and S3 on one LocalStack-compatible port, with
// a health endpoint and an HTTP API for faults, so that scripts, SDKs and
// tools configured for LocalStack's edge port (4566) work unchanged.
//
// Router routes a request to Kinesis when it carries an X-Amz-Target header
// for Kinesis_20131202, the CBOR content type the Kinesis SDKs use, or a
// SigV4 credential scope naming the kinesis service, as LocalStack does;
// everything else goes to S3, which itself tells path-style from
// virtual-hosted-style addressing by the Host header.
//
// With WithDynamoDB and WithSTS it also serves DynamoDB and STS (a SigV4
// scope naming sts, or the Query protocol's Action and Version in the query
// string), and refuses Kinesis, DynamoDB and S3 requests signed with
// assumed-role credentials that have expired, as those services do.
//
// Besides the services, a Router answers:
//
//	GET  /_localstack/health         {"services":{"kinesis":"running","s3":"running"},...}
//	GET  /_streamcheck/faults        the installed fault rules with their counters
//	POST /_streamcheck/faults        install a rule (JSON fault.Rule; delay as "500ms")
//	DELETE /_streamcheck/faults/{id} remove one rule
//	DELETE /_streamcheck/faults      remove every rule
//	POST /_streamcheck/kafka/{shuffle-leaders,move-partition,remove-node,add-node}
//	                                 change the Kafka cluster (see KafkaPath)
//
// Client calls the fault API from Go; the streamcheck fault command uses it.
package edge
