package sink

import (
	"fmt"
	"hash/fnv"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ObjectName is the exactly-once name of a batch's file index idx in the
// form without a checkpoint token: part-<batch, 8 digits>-<idx, 5 digits>.<ext>.
// Checkpoints whose plans already name objects so keep it on replay;
// everything else is named by ScopedObjectName.
func ObjectName(batch int64, idx int, ext string) string {
	return fmt.Sprintf("part-%08d-%05d.%s", batch, idx, ext)
}

// ScopedObjectName is the exactly-once name of a batch's file index idx
// under the checkpoint whose CheckpointToken is token:
// part-<batch, 8 digits>-<idx, 5 digits>-<token>.<ext>. The token keeps a
// new checkpoint on the same output path from overwriting the objects of
// an older one; with token "" it is ObjectName.
func ScopedObjectName(token string, batch int64, idx int, ext string) string {
	if token == "" {
		return ObjectName(batch, idx, ext)
	}
	return fmt.Sprintf("part-%08d-%05d-%s.%s", batch, idx, token, ext)
}

// CheckpointToken is the token of a checkpoint id in exactly-once names:
// the id's first 8 characters, lower-cased, when they are hexadecimal
// digits (as in the engine's UUID ids), else the FNV-1a 32-bit hash of the
// id as 8 hexadecimal digits. It is "" for an empty id.
func CheckpointToken(id string) string {
	if id == "" {
		return ""
	}
	if len(id) >= 8 {
		p := strings.ToLower(id[:8])
		if strings.Trim(p, "0123456789abcdef") == "" {
			return p
		}
	}
	h := fnv.New32a()
	h.Write([]byte(id))
	return fmt.Sprintf("%08x", h.Sum32())
}

// NameParts are the fields of an exactly-once object name.
type NameParts struct {
	Batch int64
	Index int
	Token string // "" in the form without a checkpoint token
	Ext   string
}

// ParseObjectName parses an exactly-once object name (the base name, no
// directories) of either form: ObjectName's or ScopedObjectName's. It
// reports false for any other name (at-least-once and compaction names
// included).
func ParseObjectName(name string) (NameParts, bool) {
	rest, ok := strings.CutPrefix(name, "part-")
	if !ok || len(rest) < 8+1+5+1 || !digits(rest[:8]) || rest[8] != '-' || !digits(rest[9:14]) {
		return NameParts{}, false
	}
	batch, _ := strconv.ParseInt(rest[:8], 10, 64)
	idx, _ := strconv.Atoi(rest[9:14])
	p := NameParts{Batch: batch, Index: idx}
	rest = rest[14:]
	if len(rest) >= 9 && rest[0] == '-' && strings.Trim(rest[1:9], "0123456789abcdef") == "" {
		p.Token, rest = rest[1:9], rest[9:]
	}
	if len(rest) < 2 || rest[0] != '.' {
		return NameParts{}, false
	}
	p.Ext = rest[1:]
	return p, true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// RandomName is the at-least-once name part-<uuid>.<ext>, with uuid a
// version 4 UUID made from 16 random bytes.
func RandomName(random [16]byte, ext string) string {
	random[6] = random[6]&0x0f | 0x40
	random[8] = random[8]&0x3f | 0x80
	b := random
	return fmt.Sprintf("part-%x-%x-%x-%x-%x.%s", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16], ext)
}

// IngestPath is the Hive-style partition of an ingest time (UTC):
// ingest_year=2026/ingest_month=11/ingest_day=22/ingest_hour=13.
func IngestPath(t time.Time) string {
	t = t.UTC()
	return fmt.Sprintf("ingest_year=%04d/ingest_month=%02d/ingest_day=%02d/ingest_hour=%02d", t.Year(), int(t.Month()), t.Day(), t.Hour())
}

// ColumnPath is the Hive-style partition for column values:
// col1=v1/col2=v2, with characters that would break a path escaped as %XX.
func ColumnPath(names, values []string) string {
	parts := make([]string, len(names))
	for i := range names {
		parts[i] = names[i] + "=" + escape(values[i])
	}
	return strings.Join(parts, "/")
}

func escape(v string) string {
	if v == "" {
		return "__HIVE_DEFAULT_PARTITION__"
	}
	return strings.ReplaceAll(url.PathEscape(v), "%20", " ")
}
