package aggregate

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/streamcheck/streamcheck/engine/interval"
)

// Defaults of Config, those of the Glue streaming blog's second pipeline.
const (
	DefaultKeyColumn       = "ventilatorid"
	DefaultEventTimeColumn = "eventtime"
	DefaultEventTimeFormat = "2006-01-02 15:04:05" // Go layout; as Spark's "yyyy-MM-dd HH:mm:ss"
	DefaultTimeMode        = EventTime
	DefaultWindowDuration  = 10 * time.Minute
	DefaultSlideDuration   = 5 * time.Minute
	DefaultWatermarkDelay  = 2 * time.Minute
	DefaultJoinType        = InnerJoin
	DefaultAlertColumn     = "status"
	DefaultRefreshInterval = 5 * time.Minute
)

// Time modes of Config.TimeMode.
const (
	EventTime      = "event"      // windows on the event time column
	ProcessingTime = "processing" // windows on the batch's planned ingest time
)

// Join types of Config.JoinType.
const (
	InnerJoin = "inner" // readings without a reference row are left out (reported as unmatched)
	LeftJoin  = "left"  // readings without a reference row are kept; their level is ORANGE, as in Spark
)

// Metric is one graded and averaged column and the reference columns
// holding its normal range (inclusive at both ends).
type Metric struct {
	// Column is the reading's column (int, bigint, double or float).
	Column string `yaml:"column"`
	// MinColumn and MaxColumn are the reference table's bound columns.
	MinColumn string `yaml:"minColumn"`
	MaxColumn string `yaml:"maxColumn"`
}

// DefaultMetrics returns the blog's three ventilator metrics with the
// DynamoDB reference table's column names.
func DefaultMetrics() []Metric {
	return []Metric{
		{Column: "pressurecontrol", MinColumn: "pressure_control_min", MaxColumn: "pressure_control_max"},
		{Column: "o2stats", MinColumn: "o2_stats_min", MaxColumn: "o2_stats_max"},
		{Column: "minutevolume", MinColumn: "minute_volume_min", MaxColumn: "minute_volume_max"},
	}
}

// Reference says where the reference table lives. Exactly one of Path and
// DynamoDBTable is set.
type Reference struct {
	// Path is a local file or an s3://bucket/key object.
	Path string `yaml:"path"`
	// Format is "csv" (with a header row) or "json" (JSON lines); empty
	// means by the path's extension (.csv, else JSON lines).
	Format string `yaml:"format"`
	// DynamoDBTable is the table read with Scan ("dynamodb.input.tableName"
	// in a Glue connection).
	DynamoDBTable string `yaml:"dynamodb.input.tableName"`
	// DynamoDBEndpoint overrides the DynamoDB endpoint (a local fake).
	DynamoDBEndpoint string `yaml:"dynamodb.endpoint"`
	// RefreshInterval is how long a loaded table is used before it is
	// loaded again, measured in batch ingest time; default
	// DefaultRefreshInterval.
	RefreshInterval Duration `yaml:"refreshInterval"`
}

// Config configures an Operator. Build it with DefaultConfig and change what
// differs; it is loaded from the job's YAML under "aggregate".
type Config struct {
	// KeyColumn is the device column: the join key and the grouping key.
	KeyColumn string `yaml:"keyColumn"`
	// TimeMode is EventTime or ProcessingTime; default EventTime.
	TimeMode string `yaml:"timeMode"`
	// EventTimeColumn is the timestamp column for EventTime: a timestamp,
	// a string in EventTimeFormat (UTC), or an int/bigint of milliseconds
	// since the epoch.
	EventTimeColumn string `yaml:"eventTimeColumn"`
	// EventTimeFormat is the Go layout of a string event time.
	EventTimeFormat string `yaml:"eventTimeFormat"`
	// WindowDuration and SlideDuration are Spark's window(col, window,
	// slide): windows are [start, start+WindowDuration) with starts at
	// multiples of SlideDuration since the epoch.
	WindowDuration Duration `yaml:"windowDuration"`
	SlideDuration  Duration `yaml:"slideDuration"`
	// WatermarkDelay is Spark's withWatermark delay threshold: the
	// watermark is the latest event time seen minus this.
	WatermarkDelay Duration `yaml:"watermarkDelay"`
	// JoinType is InnerJoin or LeftJoin.
	JoinType string `yaml:"joinType"`
	// AlertColumn names the alert level column added to joined rows.
	AlertColumn string `yaml:"alertColumn"`
	// Metrics are the graded and averaged columns; default DefaultMetrics.
	Metrics []Metric `yaml:"metrics"`
	// Reference is where the reference table comes from.
	Reference Reference `yaml:"reference"`
}

// DefaultConfig returns the blog's pipeline: ventilatorid, event time from
// eventtime, windows of 10 minutes sliding every 5, a 2-minute watermark
// delay and an inner join. Reference is left empty.
func DefaultConfig() Config {
	return Config{
		KeyColumn:       DefaultKeyColumn,
		TimeMode:        DefaultTimeMode,
		EventTimeColumn: DefaultEventTimeColumn,
		EventTimeFormat: DefaultEventTimeFormat,
		WindowDuration:  Duration(DefaultWindowDuration),
		SlideDuration:   Duration(DefaultSlideDuration),
		WatermarkDelay:  Duration(DefaultWatermarkDelay),
		JoinType:        DefaultJoinType,
		AlertColumn:     DefaultAlertColumn,
		Metrics:         DefaultMetrics(),
		Reference:       Reference{RefreshInterval: Duration(DefaultRefreshInterval)},
	}
}

// ErrConfig is wrapped by every error of Validate.
var ErrConfig = errors.New("aggregate: invalid config")

func bad(field, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrConfig, field, fmt.Sprintf(format, args...))
}

// Validate checks c and names the first bad field. It does not check the
// Reference (see ValidateReference), since an Operator runs without one.
func (c *Config) Validate() error {
	if c.KeyColumn == "" {
		return bad("keyColumn", "empty; want the device column, e.g. %q", DefaultKeyColumn)
	}
	switch c.TimeMode {
	case EventTime:
		if c.EventTimeColumn == "" {
			return bad("eventTimeColumn", "empty; timeMode %q needs a timestamp column", EventTime)
		}
		if c.EventTimeFormat == "" {
			return bad("eventTimeFormat", "empty; want a Go time layout such as %q", DefaultEventTimeFormat)
		}
	case ProcessingTime:
	default:
		return bad("timeMode", "%q; want %q or %q", c.TimeMode, EventTime, ProcessingTime)
	}
	if c.WindowDuration < Duration(time.Microsecond) {
		return bad("windowDuration", "%s; want at least 1µs", c.WindowDuration)
	}
	if c.SlideDuration < Duration(time.Microsecond) || c.SlideDuration > c.WindowDuration {
		return bad("slideDuration", "%s; want between 1µs and windowDuration (%s)", c.SlideDuration, c.WindowDuration)
	}
	if time.Duration(c.WindowDuration)%time.Microsecond != 0 || time.Duration(c.SlideDuration)%time.Microsecond != 0 {
		return bad("windowDuration", "%s/%s; want whole microseconds", c.WindowDuration, c.SlideDuration)
	}
	if c.WatermarkDelay < 0 {
		return bad("watermarkDelay", "%s; want zero or more", c.WatermarkDelay)
	}
	if c.JoinType != InnerJoin && c.JoinType != LeftJoin {
		return bad("joinType", "%q; want %q or %q", c.JoinType, InnerJoin, LeftJoin)
	}
	if c.AlertColumn == "" {
		return bad("alertColumn", "empty; want a column name, e.g. %q", DefaultAlertColumn)
	}
	if len(c.Metrics) == 0 {
		return bad("metrics", "empty; want at least one metric")
	}
	for i, m := range c.Metrics {
		if m.Column == "" || m.MinColumn == "" || m.MaxColumn == "" {
			return bad(fmt.Sprintf("metrics[%d]", i), "column, minColumn and maxColumn are all required")
		}
	}
	return nil
}

// ValidateReference checks c.Reference and names the first bad field.
func (c *Config) ValidateReference() error {
	r := c.Reference
	switch {
	case r.Path == "" && r.DynamoDBTable == "":
		return bad("reference", "neither path nor dynamodb.input.tableName is set")
	case r.Path != "" && r.DynamoDBTable != "":
		return bad("reference", "both path and dynamodb.input.tableName are set; want one")
	}
	if _, err := r.format(); err != nil {
		return bad("reference.format", "%v", err)
	}
	if r.RefreshInterval < 0 {
		return bad("reference.refreshInterval", "%s; want zero or more", r.RefreshInterval)
	}
	return nil
}

// format returns "csv" or "json".
func (r Reference) format() (string, error) {
	switch strings.ToLower(r.Format) {
	case "csv":
		return "csv", nil
	case "json", "jsonl", "json lines":
		return "json", nil
	case "":
		if strings.HasSuffix(strings.ToLower(r.Path), ".csv") {
			return "csv", nil
		}
		return "json", nil
	}
	return "", fmt.Errorf("%q; want csv or json", r.Format)
}

// Duration is a job file's duration: "10 minutes" as Spark writes
// intervals, or a Go duration ("10m"). See package interval.
type Duration = interval.Duration
