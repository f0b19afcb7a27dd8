package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/generators"
)

// Kinds of malformed records the scenarios' own encodings (CSVEncoding,
// GrokEncoding) make, besides the generator's (generators.MalformedKinds()).
const (
	// MalformedNoMatch is a log line that the job's Grok pattern does not
	// match.
	MalformedNoMatch = "no_match"
	// MalformedUnmatched is a well-formed reading for a device that the
	// reference table of an aggregating job lacks: the inner join leaves
	// it out and the engine dead-letters it.
	MalformedUnmatched = "unmatched"
)

// CSVDelimiter and CSVHeader are the delimiter and the header line of the
// payloads CSVEncoding makes: the ventilator columns in an order other than
// the table's, so that a decoder must map fields by name.
const (
	CSVDelimiter = "|"
	CSVHeader    = "serialnumber|eventtime|ventilatorid|manufacturer|pressurecontrol|o2stats|minutevolume"
)

// The Grok pattern and custom patterns of GrokJob, matching the log lines
// GrokEncoding makes, e.g.
//
//	2026-01-01 00:00:01 INFO ventilator=12 serial=5b0c... pressure=20 o2=95 volume=6 maker=GE
const (
	GrokPattern        = `^%{VENTTIME:eventtime} %{LOGLEVEL:level} ventilator=%{INT:ventilatorid} serial=%{UUID:serialnumber} pressure=%{INT:pressurecontrol} o2=%{INT:o2stats} volume=%{INT:minutevolume} maker=%{MAKER:manufacturer}$`
	GrokCustomPatterns = "VENTTIME %{YEAR}-%{MONTHNUM}-%{MONTHDAY} %{TIME}\nMAKER [A-Za-z0-9]+"
)

// ventilatorReading is a generator ventilator record as its JSON payload
// carries it.
type ventilatorReading struct {
	VentilatorID    json.Number `json:"ventilatorid"`
	EventTime       string      `json:"eventtime"`
	SerialNumber    string      `json:"serialnumber"`
	PressureControl json.Number `json:"pressurecontrol"`
	O2Stats         json.Number `json:"o2stats"`
	MinuteVolume    json.Number `json:"minutevolume"`
	Manufacturer    string      `json:"manufacturer"`
}

// readingOf decodes a ventilator JSON payload. For a payload the generator
// spoilt (cut short, a wrong type) it makes up a stand-in from the record's
// seq and event time, since a malformed record's content is whatever the
// encoding spoils.
func readingOf(rec generators.Record) ventilatorReading {
	var r ventilatorReading
	dec := json.NewDecoder(bytes.NewReader(rec.Payload))
	dec.UseNumber()
	if rec.Malformed == "" && dec.Decode(&r) == nil {
		return r
	}
	et := time.UnixMilli(rec.EventTimeMs).UTC()
	n := strconv.FormatInt(rec.Seq%50+1, 10)
	return ventilatorReading{VentilatorID: json.Number(n), EventTime: et.Format(generators.VentilatorEventTimeLayout),
		SerialNumber: fmt.Sprintf("00000000-0000-4000-8000-%012d", rec.Seq), PressureControl: "20", O2Stats: "95", MinuteVolume: "6", Manufacturer: "GE"}
}

// pick draws one of n choices from the seed and the record's seq.
func pick(seed uint64, seq int64, n int) int {
	x := splitmix(seed ^ uint64(seq)*0x9e3779b97f4a7c15)
	return int(x % uint64(n))
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// CSVEncoding is a Load.Encode that turns the generator's ventilator JSON
// into CSV payloads of two lines, CSVHeader and the record, fields separated
// by CSVDelimiter. A record the generator marked malformed becomes a CSV
// record that is malformed in one of three ways drawn from the seed: a
// field missing (generators.MalformedMissing), a ventilatorid that is not a
// number (generators.MalformedWrongType), or invalid UTF-8
// (generators.MalformedInvalidUTF8).
func CSVEncoding(seed uint64, rec generators.Record) ([]byte, string) {
	r := readingOf(rec)
	fields := []string{r.SerialNumber, r.EventTime, r.VentilatorID.String(), r.Manufacturer,
		r.PressureControl.String(), r.O2Stats.String(), r.MinuteVolume.String()}
	kind := ""
	if rec.Malformed != "" {
		switch pick(seed, rec.Seq, 3) {
		case 0:
			kind, fields = generators.MalformedMissing, fields[:len(fields)-1]
		case 1:
			kind, fields[2] = generators.MalformedWrongType, "vent-"+fields[2]
		default:
			kind, fields[3] = generators.MalformedInvalidUTF8, fields[3]+"\xff\xfe"
		}
	}
	var b strings.Builder
	b.WriteString(CSVHeader)
	b.WriteByte('\n')
	for i, f := range fields {
		if i > 0 {
			b.WriteString(CSVDelimiter)
		}
		if strings.ContainsAny(f, CSVDelimiter+"\"\r\n") {
			f = `"` + strings.ReplaceAll(f, `"`, `""`) + `"`
		}
		b.WriteString(f)
	}
	return []byte(b.String()), kind
}

// GrokEncoding is a Load.Encode that turns the generator's ventilator JSON
// into log lines that GrokPattern matches. A record the generator marked
// malformed becomes, as the seed draws, a line the pattern does not match
// (MalformedNoMatch) or one whose ventilatorid does not fit an int
// (generators.MalformedWrongType).
func GrokEncoding(seed uint64, rec generators.Record) ([]byte, string) {
	r := readingOf(rec)
	id, kind := r.VentilatorID.String(), ""
	if rec.Malformed != "" {
		if pick(seed, rec.Seq, 2) == 0 {
			return fmt.Appendf(nil, "%s WARN ventilator reading %d lost its fields", r.EventTime, rec.Seq), MalformedNoMatch
		}
		id, kind = "9"+strings.Repeat("0", 11)+id, generators.MalformedWrongType
	}
	return fmt.Appendf(nil, "%s INFO ventilator=%s serial=%s pressure=%s o2=%s volume=%s maker=%s",
		r.EventTime, id, r.SerialNumber, r.PressureControl, r.O2Stats, r.MinuteVolume, r.Manufacturer), kind
}

// CSVJob is VentilatorJob reading the payloads of CSVEncoding: classification
// csv, delimiter CSVDelimiter, withHeader.
func CSVJob(env Env) (*engine.Job, error) {
	j, err := VentilatorJob(env)
	if err != nil {
		return nil, err
	}
	j.Name = "ventilator-csv"
	j.Source.Classification = "csv"
	j.Source.Delimiter = CSVDelimiter
	j.Source.WithHeader = true
	return j, j.Validate()
}

// AvroJob is VentilatorJob reading the generator's Avro encoding, one
// binary datum per record, with the writer schema in the job
// (generators.AvroSchema of the ventilator table).
func AvroJob(env Env) (*engine.Job, error) {
	j, err := VentilatorJob(env)
	if err != nil {
		return nil, err
	}
	schema, err := generators.AvroSchema(generators.Ventilator().Table)
	if err != nil {
		return nil, fmt.Errorf("avro job: %w", err)
	}
	j.Name = "ventilator-avro"
	j.Source.Classification = "avro"
	j.Source.AvroSchema = schema
	return j, j.Validate()
}

// GrokJob is VentilatorJob reading the log lines of GrokEncoding with
// GrokPattern and GrokCustomPatterns. The declared columns type the
// captures; the level capture fills no column.
func GrokJob(env Env) (*engine.Job, error) {
	j, err := VentilatorJob(env)
	if err != nil {
		return nil, err
	}
	j.Name = "ventilator-grok"
	j.Source.Classification = "grok"
	j.Source.GrokPattern = GrokPattern
	j.Source.GrokCustomPatterns = GrokCustomPatterns
	return j, j.Validate()
}
