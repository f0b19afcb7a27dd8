package record_test

import (
	"strings"
	"testing"

	"github.com/streamcheck/streamcheck/engine/record"
)

func TestGrok(t *testing.T) {
	appPattern := `%{TIMESTAMP_ISO8601:ts} %{LOGLEVEL:level} %{DEVICE:device} latency=%{NUMBER:latency:double} bytes=(?:%{WORD:bytes:int}|-)`
	appCustom := "DEVICE vent-%{INT}\n\n  OTHER \\d+  \n"
	appCols := []record.Column{
		{Name: "ts", Type: record.Timestamp}, {Name: "level", Type: record.String, Required: true}, {Name: "device", Type: record.String},
		{Name: "latency", Type: record.Double}, {Name: "bytes", Type: record.Int},
	}
	apache := []record.Column{
		{Name: "source.address", Type: record.String}, {Name: "http.request.method", Type: record.String},
		{Name: "http.response.status_code", Type: record.Int}, {Name: "http.response.body.size", Type: record.Bigint},
	}
	tests := []struct {
		name            string
		pattern, custom string
		cols            []record.Column
		in              string
		want            map[string]record.Value
		wantErr         string
	}{
		{name: "typed captures", pattern: appPattern, custom: appCustom, cols: appCols, in: "2026-11-22T13:05:09Z WARN vent-29 latency=1.25 bytes=512\n",
			want: map[string]record.Value{"ts": {Type: record.Timestamp, I: 1795352709000000}, "level": {Type: record.String, S: "WARN"},
				"device": {Type: record.String, S: "vent-29"}, "latency": record.FloatValue(record.Double, 1.25), "bytes": {Type: record.Int, I: 512}}},
		{name: "optional capture is null", pattern: appPattern, custom: appCustom, cols: appCols, in: "2026-11-22T13:05:09Z INFO vent-1 latency=3 bytes=-",
			want: map[string]record.Value{"bytes": {}, "latency": record.FloatValue(record.Double, 3)}},
		{name: "glue's documented example", pattern: `%{USERNAME:username} %{DIGIT:digit:int}`, custom: `DIGIT \d`,
			cols: []record.Column{{Name: "username", Type: record.String}, {Name: "digit", Type: record.Int}}, in: "ann 7",
			want: map[string]record.Value{"username": {Type: record.String, S: "ann"}, "digit": {Type: record.Int, I: 7}}},
		{name: "standard httpd library", pattern: `%{HTTPD_COMMONLOG}`, cols: apache,
			in: `127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326`,
			want: map[string]record.Value{"source.address": {Type: record.String, S: "127.0.0.1"}, "http.request.method": {Type: record.String, S: "GET"},
				"http.response.status_code": {Type: record.Int, I: 200}, "http.response.body.size": {Type: record.Bigint, I: 2326}}},

		{name: "no match", pattern: appPattern, custom: appCustom, cols: appCols, in: "garbage line", wantErr: "invalid Grok at byte 0: line does not match the Grok pattern"},
		{name: "capture of the wrong type", pattern: appPattern, custom: appCustom, cols: appCols, in: "2026-11-22T13:05:09Z INFO vent-1 latency=3 bytes=many",
			wantErr: `field "bytes" at byte 49: capture: want int, got "many"`},
		{name: "required column without capture", pattern: `%{WORD:device}(?: %{LOGLEVEL:level})?`, cols: appCols, in: "vent",
			wantErr: `field "level" at byte 4: no capture for a required column of type string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dec, err := record.NewFormatDecoder(record.Format{Classification: "grok", GrokPattern: tt.pattern, GrokCustomPatterns: tt.custom}, tt.cols)
			if err != nil {
				t.Fatal(err)
			}
			row := make([]record.Value, len(tt.cols))
			err = dec.Decode([]byte(tt.in), row)
			if tt.wantErr != "" {
				checkErr(t, tt.in, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatalf("Decode(%q): %v", tt.in, err)
			}
			checkRow(t, tt.cols, row, tt.want)
		})
	}
}

func FuzzGrok(f *testing.F) {
	for _, s := range []string{"2026-11-22T13:05:09Z WARN vent-29 latency=1.25 bytes=512", "x", "", "\xff\xfe", "2026-11-22T13:05:09Z INFO vent-1 latency=1e999 bytes=99999999999"} {
		f.Add([]byte(s))
	}
	cols := []record.Column{{Name: "ts", Type: record.Timestamp}, {Name: "level", Type: record.String}, {Name: "latency", Type: record.Double}, {Name: "bytes", Type: record.Int}}
	dec, err := record.NewFormatDecoder(record.Format{Classification: "grok",
		GrokPattern:        `%{TIMESTAMP_ISO8601:ts} %{LOGLEVEL:level} %{DEVICE:device} latency=%{NUMBER:latency:double} bytes=(?:%{WORD:bytes:int}|-)`,
		GrokCustomPatterns: "DEVICE vent-%{INT}"}, cols)
	if err != nil {
		f.Fatal(err)
	}
	row := make([]record.Value, len(cols))
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = dec.Decode(b, row)
	})
}

func TestGrokColumns(t *testing.T) {
	tests := []struct {
		name, pattern, custom string
		want, wantErr         string
	}{
		{name: "typed captures", pattern: `%{TIMESTAMP_ISO8601:ts} %{DEVICE:device} n=%{NUMBER:n:int} b=%{NUMBER:b:long} x=%{NUMBER:x:double} f=%{NUMBER:f:float} ok=%{WORD:ok:boolean}`,
			custom: "DEVICE vent-%{INT:unit:int}", want: "ts:string device:string unit:int n:int b:bigint x:double f:float ok:boolean"},
		{name: "library pattern", pattern: `%{HTTPD_COMMONLOG}`,
			want: "source.address:string apache.access.user.identity:string user.name:string timestamp:string http.request.method:string url.original:string http.version:string http.response.status_code:int http.response.body.size:bigint"},
		{name: "unknown type", pattern: `%{WORD:w:uuid}`, wantErr: `capture "w": unknown type "uuid"`},
		{name: "unknown pattern", pattern: `%{NOPE:w}`, wantErr: `grok pattern "NOPE" unknown`},
		{name: "cycle", pattern: `%{A:a}`, custom: "A %{B}\nB %{A}", wantErr: "more than 64 levels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cols, err := record.GrokColumns(tt.pattern, tt.custom)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("GrokColumns error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var parts []string
			for _, c := range cols {
				parts = append(parts, c.Name+":"+c.Type.String())
			}
			if got := strings.Join(parts, " "); got != tt.want {
				t.Errorf("GrokColumns =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
