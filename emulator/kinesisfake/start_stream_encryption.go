package kinesisfake

// StartStreamEncryption.
//
// Matches AWS: EncryptionType KMS with a KeyId is recorded and reported by
// DescribeStream(Summary), PutRecord(s) and GetRecords; the stream must be
// ACTIVE and is UPDATING for the status delay.
// Differs: nothing is encrypted and the key is not checked with KMS.

type streamEncryptionInput struct {
	streamRef
	EncryptionType string `json:"EncryptionType"`
	KeyID          string `json:"KeyId"`
}

func startStreamEncryption(s *Server, c *call, in *streamEncryptionInput) (any, error) {
	return s.setEncryption(c, in, true)
}

func (s *Server) setEncryption(c *call, in *streamEncryptionInput, start bool) (any, error) {
	if in.EncryptionType != "KMS" && in.EncryptionType != "NONE" {
		return nil, errValidation("encryptionType", "Member must satisfy enum value set: [NONE, KMS]", in.EncryptionType)
	}
	if in.KeyID == "" {
		return nil, errMissing("keyId")
	}
	st, aerr := s.lookup(in.StreamName, in.StreamARN)
	if aerr != nil {
		return nil, aerr
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := s.requireActive(st, c.now); err != nil {
		return nil, err
	}
	if start {
		st.encryption, st.keyID = in.EncryptionType, in.KeyID
	} else {
		st.encryption, st.keyID = "", ""
	}
	s.setPending(st, "UPDATING", c.now)
	if err := s.persistMeta(st); err != nil {
		return nil, newError(codeInternalFailure, "persisting stream %s: %v", st.name, err)
	}
	return struct{}{}, nil
}
