package kinesisfake

// StopStreamEncryption.
//
// Matches AWS: the stream reports EncryptionType NONE again; the stream
// must be ACTIVE and is UPDATING for the status delay.
// Differs: nothing was encrypted in the first place.

func stopStreamEncryption(s *Server, c *call, in *streamEncryptionInput) (any, error) {
	return s.setEncryption(c, in, false)
}
