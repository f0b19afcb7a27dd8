// Package s3fake is an in-process Amazon S3 endpoint that the unmodified AWS
// SDKs and the AWS CLI use as they use AWS.
//
// A Server is an http.Handler; Start serves it on 127.0.0.1 (HTTP/1.1 and
// cleartext HTTP/2), URL returns its address and Close stops it:
//
//	srv, err := s3fake.New(s3fake.WithDataDir(dir))
//	...
//	err = srv.Start()
//	defer srv.Close()
//	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(srv.URL()) })
//
// Operations: CreateBucket, HeadBucket, DeleteBucket, ListBuckets,
// GetBucketLocation, PutObject, GetObject (ranged), HeadObject, DeleteObject,
// DeleteObjects, CopyObject, ListObjectsV2, ListObjects, CreateMultipartUpload,
// UploadPart, CompleteMultipartUpload, AbortMultipartUpload, ListParts and
// ListMultipartUploads. Each operation, or group of closely related ones,
// lives in its own file whose opening comment says
// what matches AWS and what does not. Anything else answers NotImplemented.
//
// Buckets are addressed path style (http://127.0.0.1:port/bucket/key) or
// virtual-hosted style (http://bucket.localhost:port/key, also under
// s3.localhost, localhost.localstack.cloud, s3.localhost.localstack.cloud,
// s3.amazonaws.com and any bucket.s3.<host>); see WithHostSuffixes.
//
// Writes honour If-None-Match: * and If-Match atomically, the checksums the
// SDKs send (in headers, or as aws-chunked trailers over HTTPS) are verified,
// stored and returned with checksum mode enabled, and ETags are those AWS
// computes (hex MD5, or the MD5 of the part MD5s and -N for multipart uploads).
// Errors are AWS's codes, statuses and XML bodies (see errors.go).
//
// Objects live in memory, or with WithDataDir in a directory that survives
// restarts; on disk an object's file is named by the SHA-256 of its key, so
// no key can name a path outside the directory. Every request is offered to
// the fault injector (Faults) as a fault.Request with Service "s3", the AWS
// operation name, the bucket as Resource and the object key as Key, so a test
// can delay it, fail it with an AWS error such as 503 SlowDown, or drop the
// connection after part of the body has been read. Last-Modified comes from
// the clock given with WithClock.
//
// Requests are not authenticated: any SigV4 signature is accepted.
package s3fake
