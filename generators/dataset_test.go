package generators

import (
	"encoding/json"
	"regexp"
	"testing"
	"time"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func records(t *testing.T, cfg SourceConfig, n int) []Record {
	t.Helper()
	s, err := NewSource(cfg)
	if err != nil {
		t.Fatalf("NewSource: %v", err)
	}
	w := s.NewWorker()
	out := make([]Record, n)
	for i := range out {
		if out[i], err = w.Record(int64(i)); err != nil {
			t.Fatalf("Record(%d): %v", i, err)
		}
	}
	return out
}

// ventilatorReading is the blog's record, decoded strictly.
type ventilatorReading struct {
	VentilatorID    *int    `json:"ventilatorid"`
	EventTime       *string `json:"eventtime"`
	SerialNumber    *string `json:"serialnumber"`
	PressureControl *int    `json:"pressurecontrol"`
	O2Stats         *int    `json:"o2stats"`
	MinuteVolume    *int    `json:"minutevolume"`
	Manufacturer    *string `json:"manufacturer"`
}

// checkVentilator reports what is wrong with one payload: schema, types and
// value ranges.
func checkVentilator(payload []byte) (ventilatorReading, string) {
	var v ventilatorReading
	if err := json.Unmarshal(payload, &v); err != nil {
		return v, "not a ventilator JSON object: " + err.Error()
	}
	switch {
	case v.VentilatorID == nil || v.EventTime == nil || v.SerialNumber == nil || v.PressureControl == nil ||
		v.O2Stats == nil || v.MinuteVolume == nil || v.Manufacturer == nil:
		return v, "a column is missing"
	case !ventilatorIDs.Contains(*v.VentilatorID):
		return v, "ventilatorid out of range"
	case !ventilatorPressureControl.Contains(*v.PressureControl):
		return v, "pressurecontrol out of range"
	case !ventilatorO2Stats.Contains(*v.O2Stats):
		return v, "o2stats out of range"
	case !ventilatorMinuteVolume.Contains(*v.MinuteVolume):
		return v, "minutevolume out of range"
	case !uuidRE.MatchString(*v.SerialNumber):
		return v, "serialnumber is not a UUID"
	case !containsString(ventilatorManufacturers, *v.Manufacturer):
		return v, "unknown manufacturer"
	}
	if _, err := time.Parse(VentilatorEventTimeLayout, *v.EventTime); err != nil {
		return v, "eventtime: " + err.Error()
	}
	return v, ""
}

func TestVentilatorSchemaAndRanges(t *testing.T) {
	const n = 20000
	recs := records(t, SourceConfig{Dataset: Ventilator(), Seed: 7, EventInterval: time.Second}, n)
	levels := map[string]int{}
	serials := map[string]bool{}
	for _, r := range recs {
		v, bad := checkVentilator(r.Payload)
		if bad != "" {
			t.Fatalf("record %d %s: %s", r.Seq, r.Payload, bad)
		}
		if serials[*v.SerialNumber] {
			t.Fatalf("record %d: serialnumber %s repeats", r.Seq, *v.SerialNumber)
		}
		serials[*v.SerialNumber] = true
		if r.Key != *v.SerialNumber {
			t.Errorf("record %d: key %q, want the serialnumber %q", r.Seq, r.Key, *v.SerialNumber)
		}
		et, _ := time.Parse(VentilatorEventTimeLayout, *v.EventTime)
		if et.UnixMilli() != r.EventTimeMs {
			t.Errorf("record %d: event_time_ms %d, want eventtime %s = %d", r.Seq, r.EventTimeMs, *v.EventTime, et.UnixMilli())
		}
		levels[VentilatorAlert(*v.PressureControl, *v.O2Stats, *v.MinuteVolume)]++
	}
	for _, c := range []struct {
		level string
		want  float64
	}{{AlertGreen, ShareGreen}, {AlertOrange, ShareOrange}, {AlertRed, ShareRed}} {
		got := float64(levels[c.level]) / n
		if d := got - c.want; d > 0.015 || d < -0.015 {
			t.Errorf("share of %s readings = %.4f, want %.2f ± 0.015", c.level, got, c.want)
		}
	}
}

func TestVentilatorCheckerRejects(t *testing.T) {
	for _, tc := range []struct{ name, payload string }{
		{"o2 out of the full range", `{"ventilatorid":1,"eventtime":"2026-01-01 00:00:00","serialnumber":"e3968c61-7535-4b26-a5e1-3d67b36af736","pressurecontrol":10,"o2stats":101,"minutevolume":5,"manufacturer":"GE"}`},
		{"missing manufacturer", `{"ventilatorid":1,"eventtime":"2026-01-01 00:00:00","serialnumber":"e3968c61-7535-4b26-a5e1-3d67b36af736","pressurecontrol":10,"o2stats":95,"minutevolume":5}`},
		{"string id", `{"ventilatorid":"1","eventtime":"2026-01-01 00:00:00","serialnumber":"e3968c61-7535-4b26-a5e1-3d67b36af736","pressurecontrol":10,"o2stats":95,"minutevolume":5,"manufacturer":"GE"}`},
		{"iso eventtime", `{"ventilatorid":1,"eventtime":"2026-01-01T00:00:00","serialnumber":"e3968c61-7535-4b26-a5e1-3d67b36af736","pressurecontrol":10,"o2stats":95,"minutevolume":5,"manufacturer":"GE"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, bad := checkVentilator([]byte(tc.payload)); bad == "" {
				t.Errorf("checkVentilator accepted %s", tc.payload)
			}
		})
	}
}

func TestVentilatorAlert(t *testing.T) {
	for _, tc := range []struct {
		p, o, m int
		want    string
	}{
		{10, 95, 5, AlertGreen},
		{5, 92, 4, AlertGreen},
		{30, 100, 8, AlertGreen},
		{4, 95, 5, AlertOrange},
		{31, 91, 5, AlertOrange},
		{3, 90, 2, AlertRed},
		{40, 91, 10, AlertRed},
	} {
		if got := VentilatorAlert(tc.p, tc.o, tc.m); got != tc.want {
			t.Errorf("VentilatorAlert(%d, %d, %d) = %s, want %s", tc.p, tc.o, tc.m, got, tc.want)
		}
	}
}

type payment struct {
	EventID   *string            `json:"event_id"`
	UserID    *string            `json:"user_id"`
	EventType *string            `json:"event_type"`
	Amount    *json.Number       `json:"amount"`
	Currency  *string            `json:"currency"`
	EventTime *int64             `json:"event_time"`
	Metadata  *map[string]string `json:"metadata"`
}

func TestPaymentsSchemaAndRanges(t *testing.T) {
	recs := records(t, SourceConfig{Dataset: Payments(), Seed: 3, Keys: KeyStrategy{Kind: KeyDevice}}, 5000)
	ids := map[string]bool{}
	users := map[string]bool{}
	amountRE := regexp.MustCompile(`^[0-9]+\.[0-9]{2}$`)
	for _, r := range recs {
		var p payment
		if err := json.Unmarshal(r.Payload, &p); err != nil {
			t.Fatalf("record %d: %v: %s", r.Seq, err, r.Payload)
		}
		if p.EventID == nil || p.UserID == nil || p.EventType == nil || p.Amount == nil || p.Currency == nil || p.EventTime == nil || p.Metadata == nil {
			t.Fatalf("record %d: a field is missing: %s", r.Seq, r.Payload)
		}
		if !uuidRE.MatchString(*p.EventID) || ids[*p.EventID] {
			t.Fatalf("record %d: event_id %q is not a fresh UUID", r.Seq, *p.EventID)
		}
		ids[*p.EventID] = true
		users[*p.UserID] = true
		if r.PartitionKey != *p.UserID {
			t.Errorf("record %d: partition key %q, want user_id %q under the device strategy", r.Seq, r.PartitionKey, *p.UserID)
		}
		if !containsString(paymentEventTypes, *p.EventType) || !containsString(paymentCurrencies, *p.Currency) {
			t.Errorf("record %d: event_type %q or currency %q not in the lists", r.Seq, *p.EventType, *p.Currency)
		}
		if !amountRE.MatchString(p.Amount.String()) {
			t.Errorf("record %d: amount %s, want two decimals", r.Seq, p.Amount)
		}
		if *p.EventTime != r.EventTimeMs {
			t.Errorf("record %d: event_time %d, ledger event_time_ms %d", r.Seq, *p.EventTime, r.EventTimeMs)
		}
		if m := *p.Metadata; m["channel"] == "" || m["country"] == "" || m["ip"] == "" {
			t.Errorf("record %d: metadata %v lacks channel, country or ip", r.Seq, m)
		}
	}
	if len(users) < 900 || len(users) > paymentUsers {
		t.Errorf("%d distinct user_id in 5000 events, want 900 to %d", len(users), paymentUsers)
	}
}
