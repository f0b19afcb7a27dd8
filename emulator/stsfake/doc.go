// Package stsfake is an in-process AWS Security Token Service endpoint that
// the unmodified AWS SDKs, the AWS CLI and boto3 use as they use AWS: the
// Query protocol (form-encoded Action=...&Version=2011-06-15, by POST or
// GET) answered in XML, errors included.
//
// It serves AssumeRole and GetCallerIdentity, the two operations a job that
// reads or writes a stream through an assumed role needs. The credentials
// AssumeRole issues expire on the server's clock (WithClock), so a test that
// advances a virtual clock sees them expire without waiting; Expired tells a
// router in front of other emulators whether a request's access key has
// expired, so that those emulators refuse it as AWS would.
//
//	srv, err := stsfake.New(stsfake.WithClock(clk))
//	if err != nil { ... }
//	if err := srv.Start(); err != nil { ... }
//	defer srv.Close()
//	client := sts.NewFromConfig(cfg, func(o *sts.Options) {
//		o.BaseEndpoint = aws.String(srv.URL())
//	})
//
// There is no IAM behind it: any well-formed role ARN can be assumed, by
// any caller, and trust and session policies are accepted unread.
package stsfake
