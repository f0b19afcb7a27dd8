package record_test

import (
	"fmt"
	"strings"

	"github.com/hamba/avro/v2"

	"github.com/streamcheck/streamcheck/engine/record"
)

func printRow(cols []record.Column, row []record.Value) {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = c.Name + "=" + row[i].Text()
	}
	fmt.Println(strings.Join(parts, " "))
}

func ExampleNewFormatDecoder_csv() {
	cols := []record.Column{{Name: "id", Type: record.Int}, {Name: "name", Type: record.String}, {Name: "o2", Type: record.Double}}
	dec, err := record.NewFormatDecoder(record.Format{Classification: "csv", WithHeader: true}, cols)
	if err != nil {
		panic(err)
	}
	row := make([]record.Value, len(cols))
	if err := dec.Decode([]byte("o2,id,name\n92.5,7,\"Vyaire, Inc.\"\n"), row); err != nil {
		panic(err)
	}
	printRow(cols, row)
	fmt.Println(dec.Decode([]byte("o2,id,name\nlow,7,x"), row))
	// Output:
	// id=7 name=Vyaire, Inc. o2=92.5
	// field "o2" at byte 11: CSV field 1: want double, got "low"
}

func ExampleNewFormatDecoder_avro() {
	schema := `{"type":"record","name":"Reading","fields":[
	 {"name":"id","type":"int"},
	 {"name":"maker","type":{"type":"enum","name":"Maker","symbols":["Vyaire","Philips"]}},
	 {"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}},
	 {"name":"value","type":["null","long","string"]}]}`
	cols, err := record.AvroColumns(schema)
	if err != nil {
		panic(err)
	}
	dec, err := record.NewFormatDecoder(record.Format{Classification: "avro", AvroSchema: schema}, cols)
	if err != nil {
		panic(err)
	}
	payload, err := avro.Marshal(avro.MustParse(schema), map[string]any{"id": 7, "maker": "Philips", "at": int64(1795352709123), "value": "high"})
	if err != nil {
		panic(err)
	}
	row := make([]record.Value, len(cols))
	if err := dec.Decode(payload, row); err != nil {
		panic(err)
	}
	printRow(cols, row)
	fmt.Println(cols[3].Type)
	fmt.Println(dec.Decode(payload[:3], row))
	// Output:
	// id=7 maker=Philips at=2026-11-22 13:05:09.123 value={"member0":null,"member1":"high"}
	// struct<member0:bigint,member1:string>
	// field "at" at byte 2: datum ends early
}

func ExampleNewFormatDecoder_grok() {
	cols := []record.Column{{Name: "level", Type: record.String}, {Name: "device", Type: record.String}, {Name: "bytes", Type: record.Int}}
	dec, err := record.NewFormatDecoder(record.Format{
		Classification:     "grok",
		GrokPattern:        `%{LOGLEVEL:level} %{DEVICE:device} sent %{NUMBER:bytes:int} bytes`,
		GrokCustomPatterns: "DEVICE vent-%{INT}",
	}, cols)
	if err != nil {
		panic(err)
	}
	row := make([]record.Value, len(cols))
	if err := dec.Decode([]byte("WARN vent-29 sent 512 bytes\n"), row); err != nil {
		panic(err)
	}
	printRow(cols, row)
	fmt.Println(dec.Decode([]byte("vent-29 rebooted"), row))
	// Output:
	// level=WARN device=vent-29 bytes=512
	// invalid Grok at byte 0: line does not match the Grok pattern
}

func ExampleFormat_Validate() {
	fmt.Println(record.Format{Classification: "csv", WithHeader: true, SkipFirst: true}.Validate())
	fmt.Println(record.Format{Classification: "grok"}.Validate())
	// Output:
	// invalid record format: WithHeader: WithHeader and SkipFirst are both set; pick one
	// invalid record format: GrokPattern: required for grok
}

func ExampleInfer() {
	cols := record.Infer([][]byte{
		[]byte(`{"id":1,"o2":92,"ok":true}`),
		[]byte(`{"id":2,"o2":92.5,"ok":"yes"}`),
	})
	for _, c := range cols {
		fmt.Println(c.Name, c.Type)
	}
	// Output:
	// id bigint
	// o2 double
	// ok string
}
