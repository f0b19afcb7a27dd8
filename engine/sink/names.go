package sink

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// ObjectName is the exactly-once name of a batch's file index idx:
// part-<batch, 8 digits>-<idx, 5 digits>.<ext>.
func ObjectName(batch int64, idx int, ext string) string {
	return fmt.Sprintf("part-%08d-%05d.%s", batch, idx, ext)
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
