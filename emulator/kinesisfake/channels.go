package kinesisfake

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"time"
)

// channel is a delivery channel from streams to S3 or S3 Tables. The server
// keeps its configuration and reports it back; nothing is delivered.
type channel struct {
	name       string
	id         string
	createdMs  int64
	role       string
	streams    []channelStream
	encryption any
	logging    any
	s3         any
	s3Tables   any
	tags       map[string]string
}

type channelStream struct {
	StreamARN               string   `json:"StreamARN"`
	StreamCreationTimestamp *awsTime `json:"StreamCreationTimestamp,omitempty"`
	RecordConfiguration     any      `json:"RecordConfiguration,omitempty"`
}

type channelDescription struct {
	ChannelARN                       string          `json:"ChannelARN"`
	ChannelName                      string          `json:"ChannelName"`
	ChannelID                        string          `json:"ChannelId"`
	ChannelStatus                    string          `json:"ChannelStatus"`
	ChannelCreationTimestamp         *awsTime        `json:"ChannelCreationTimestamp"`
	ServiceExecutionRoleARN          string          `json:"ServiceExecutionRoleARN"`
	StreamConfigurationList          []channelStream `json:"StreamConfigurationList"`
	EncryptionConfiguration          any             `json:"EncryptionConfiguration,omitempty"`
	LoggingConfiguration             any             `json:"LoggingConfiguration,omitempty"`
	S3DestinationConfiguration       any             `json:"S3DestinationConfiguration,omitempty"`
	S3TablesDestinationConfiguration any             `json:"S3TablesDestinationConfiguration,omitempty"`
}

type channelDescriptionOutput struct {
	ChannelDescription channelDescription `json:"ChannelDescription"`
}

func (s *Server) channelARN(name string) string {
	return "arn:aws:kinesis:" + s.cfg.Region + ":" + s.cfg.AccountID + ":channel/" + name
}

// channelID derives a stable ID from the seed, name and creation time.
func (s *Server) channelID(name string, createdMs int64) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], s.cfg.Seed)
	binary.BigEndian.PutUint64(b[8:], uint64(createdMs))
	sum := sha256.Sum256(append(b[:], name...))
	return hex.EncodeToString(sum[:12])
}

func (s *Server) channelStatus(ch *channel, now time.Time) string {
	if now.Before(time.UnixMilli(ch.createdMs).Add(s.cfg.statusDelay)) {
		return "CREATING"
	}
	return "ACTIVE"
}

func (s *Server) describeChannelLocked(ch *channel, now time.Time) channelDescription {
	return channelDescription{
		ChannelARN: s.channelARN(ch.name), ChannelName: ch.name, ChannelID: ch.id,
		ChannelStatus: s.channelStatus(ch, now), ChannelCreationTimestamp: msTime(ch.createdMs),
		ServiceExecutionRoleARN: ch.role, StreamConfigurationList: ch.streams,
		EncryptionConfiguration: ch.encryption, LoggingConfiguration: ch.logging,
		S3DestinationConfiguration: ch.s3, S3TablesDestinationConfiguration: ch.s3Tables,
	}
}

// channelByARN finds a channel. The caller holds s.mu.
func (s *Server) channelByARN(arn string) (*channel, *apiError) {
	if arn == "" {
		return nil, errMissing("channelARN")
	}
	i := strings.LastIndex(arn, ":channel/")
	if i < 0 {
		return nil, errValidation("channelARN", "Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:channel/\\S+", arn)
	}
	name := arn[i+len(":channel/"):]
	ch := s.channels[name]
	if ch == nil || s.channelARN(name) != arn {
		return nil, errNotFound("Channel", arn, s.cfg.AccountID)
	}
	return ch, nil
}

type channelRef struct {
	ChannelARN string `json:"ChannelARN"`
}

func (r *channelRef) target(*Server) (string, string) { return "", "" }
