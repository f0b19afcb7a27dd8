package enginetest

import "github.com/streamcheck/streamcheck/engine"

// VentilatorJob returns engine.DefaultJob with the columns and ApplyMapping
// of the ventilator job of the Glue streaming blog (examples/ventilator):
// seven columns read as JSON, eventtime cast from "yyyy-MM-dd HH:mm:ss" text
// to a timestamp. Source, checkpoint and sink locations are the caller's to
// set.
func VentilatorJob() *engine.Job {
	j := engine.DefaultJob()
	j.Name = "ventilator"
	j.Source.Columns = []engine.Column{
		{Name: "ventilatorid", Type: "int"},
		{Name: "eventtime", Type: "string"},
		{Name: "serialnumber", Type: "string"},
		{Name: "pressurecontrol", Type: "int"},
		{Name: "o2stats", Type: "int"},
		{Name: "minutevolume", Type: "int"},
		{Name: "manufacturer", Type: "string"},
	}
	j.Transforms.ApplyMapping = []engine.Mapping{
		{Source: "ventilatorid", Target: "ventilatorid", Type: "int"},
		{Source: "eventtime", Target: "eventtime", Type: "timestamp", Format: "yyyy-MM-dd HH:mm:ss"},
		{Source: "serialnumber", Target: "serialnumber", Type: "string"},
		{Source: "pressurecontrol", Target: "pressurecontrol", Type: "int"},
		{Source: "o2stats", Target: "o2stats", Type: "int"},
		{Source: "minutevolume", Target: "minutevolume", Type: "int"},
		{Source: "manufacturer", Target: "manufacturer", Type: "string"},
	}
	return j
}
