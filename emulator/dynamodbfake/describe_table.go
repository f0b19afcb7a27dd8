package dynamodbfake

// DescribeTable.
//
// Matches AWS: the whole TableDescription (definitions, key schema, status,
// throughput with its increase and decrease history, billing summary,
// indexes with their projections, sizes, item counts and ARNs, stream
// specification, deletion protection, table class), and
// ResourceNotFoundException for a table that does not exist.
// Differs: TableSizeBytes and ItemCount are exact at every call, where AWS
// refreshes them about every six hours; LatestStreamArn is reported but no
// stream is served.

import (
	"sort"
	"time"

	"github.com/streamcheck/streamcheck/emulator/dynamodbfake/internal/expr"
)

type describeTableInput struct {
	TableName string `json:"TableName"`
}

func (in *describeTableInput) target() string { return in.TableName }

type describeTableOutput struct {
	Table *tableDescription `json:"Table"`
}

func describeTable(s *Server, c *call, in *describeTableInput) (any, error) {
	t, err := s.lookup(in.TableName)
	if err != nil {
		return nil, err
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	return describeTableOutput{Table: s.describe(t, c.now)}, nil
}

type attributeDefinition struct {
	AttributeName string `json:"AttributeName"`
	AttributeType string `json:"AttributeType"`
}

type keySchemaElement struct {
	AttributeName string `json:"AttributeName"`
	KeyType       string `json:"KeyType"`
}

type projectionJSON struct {
	ProjectionType   string   `json:"ProjectionType,omitempty"`
	NonKeyAttributes []string `json:"NonKeyAttributes,omitempty"`
}

type throughputDescription struct {
	LastIncreaseDateTime   *float64 `json:"LastIncreaseDateTime,omitempty"`
	LastDecreaseDateTime   *float64 `json:"LastDecreaseDateTime,omitempty"`
	NumberOfDecreasesToday int      `json:"NumberOfDecreasesToday"`
	ReadCapacityUnits      int64    `json:"ReadCapacityUnits"`
	WriteCapacityUnits     int64    `json:"WriteCapacityUnits"`
}

type billingModeSummary struct {
	BillingMode                       string   `json:"BillingMode"`
	LastUpdateToPayPerRequestDateTime *float64 `json:"LastUpdateToPayPerRequestDateTime,omitempty"`
}

type indexDescription struct {
	IndexName             string                 `json:"IndexName"`
	KeySchema             []keySchemaElement     `json:"KeySchema"`
	Projection            projectionJSON         `json:"Projection"`
	IndexStatus           string                 `json:"IndexStatus,omitempty"`
	Backfilling           *bool                  `json:"Backfilling,omitempty"`
	ProvisionedThroughput *throughputDescription `json:"ProvisionedThroughput,omitempty"`
	IndexSizeBytes        int64                  `json:"IndexSizeBytes"`
	ItemCount             int64                  `json:"ItemCount"`
	IndexArn              string                 `json:"IndexArn"`
}

type streamSpecification struct {
	StreamEnabled  bool   `json:"StreamEnabled"`
	StreamViewType string `json:"StreamViewType,omitempty"`
}

type tableClassSummary struct {
	TableClass string `json:"TableClass"`
}

type tableDescription struct {
	AttributeDefinitions      []attributeDefinition  `json:"AttributeDefinitions"`
	TableName                 string                 `json:"TableName"`
	KeySchema                 []keySchemaElement     `json:"KeySchema"`
	TableStatus               string                 `json:"TableStatus"`
	CreationDateTime          float64                `json:"CreationDateTime"`
	ProvisionedThroughput     *throughputDescription `json:"ProvisionedThroughput"`
	TableSizeBytes            int64                  `json:"TableSizeBytes"`
	ItemCount                 int64                  `json:"ItemCount"`
	TableArn                  string                 `json:"TableArn"`
	TableID                   string                 `json:"TableId"`
	BillingModeSummary        *billingModeSummary    `json:"BillingModeSummary,omitempty"`
	LocalSecondaryIndexes     []indexDescription     `json:"LocalSecondaryIndexes,omitempty"`
	GlobalSecondaryIndexes    []indexDescription     `json:"GlobalSecondaryIndexes,omitempty"`
	StreamSpecification       *streamSpecification   `json:"StreamSpecification,omitempty"`
	LatestStreamArn           string                 `json:"LatestStreamArn,omitempty"`
	LatestStreamLabel         string                 `json:"LatestStreamLabel,omitempty"`
	TableClassSummary         *tableClassSummary     `json:"TableClassSummary,omitempty"`
	DeletionProtectionEnabled bool                   `json:"DeletionProtectionEnabled"`
}

func epochSeconds(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func optTime(t time.Time) *float64 {
	if t.IsZero() {
		return nil
	}
	v := epochSeconds(t)
	return &v
}

func keySchemaJSON(k keySchema) []keySchemaElement {
	out := []keySchemaElement{{AttributeName: k.hash.name, KeyType: "HASH"}}
	if k.rng.name != "" {
		out = append(out, keySchemaElement{AttributeName: k.rng.name, KeyType: "RANGE"})
	}
	return out
}

// describe renders t's TableDescription. The caller holds t.mu.
func (s *Server) describe(t *table, now time.Time) *tableDescription {
	d := &tableDescription{
		TableName: t.name, KeySchema: keySchemaJSON(t.key), TableStatus: t.status(now),
		CreationDateTime: epochSeconds(t.created), TableSizeBytes: t.bytes, ItemCount: int64(len(t.items)),
		TableArn: s.tableARN(t.name), TableID: t.id, DeletionProtectionEnabled: t.protect,
		ProvisionedThroughput: &throughputDescription{
			ReadCapacityUnits: t.rcu, WriteCapacityUnits: t.wcu, NumberOfDecreasesToday: t.decreasesToday(now),
			LastIncreaseDateTime: optTime(t.lastInc), LastDecreaseDateTime: optTime(t.lastDec),
		},
		BillingModeSummary: &billingModeSummary{BillingMode: t.billing, LastUpdateToPayPerRequestDateTime: optTime(t.billingAt)},
	}
	names := make([]string, 0, len(t.attrDefs))
	for n := range t.attrDefs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		d.AttributeDefinitions = append(d.AttributeDefinitions, attributeDefinition{AttributeName: n, AttributeType: t.attrDefs[n].String()})
	}
	for _, ix := range t.lsis {
		d.LocalSecondaryIndexes = append(d.LocalSecondaryIndexes, s.describeIndex(t, ix, now))
	}
	for _, ix := range t.gsis {
		d.GlobalSecondaryIndexes = append(d.GlobalSecondaryIndexes, s.describeIndex(t, ix, now))
	}
	if t.streamSpec != nil {
		d.StreamSpecification = t.streamSpec
		if t.streamSpec.StreamEnabled {
			label := t.created.UTC().Format("2006-01-02T15:04:05.000")
			d.LatestStreamLabel = label
			d.LatestStreamArn = s.tableARN(t.name) + "/stream/" + label
		}
	}
	if t.tableClass != "" {
		d.TableClassSummary = &tableClassSummary{TableClass: t.tableClass}
	}
	return d
}

func (s *Server) describeIndex(t *table, ix *index, now time.Time) indexDescription {
	d := indexDescription{
		IndexName: ix.name, KeySchema: keySchemaJSON(ix.key),
		Projection: projectionJSON{ProjectionType: ix.proj.typ, NonKeyAttributes: ix.proj.nonKey},
		IndexArn:   s.tableARN(t.name) + "/index/" + ix.name,
	}
	for _, p := range ix.space.parts {
		d.ItemCount += int64(len(p.ents))
		for _, e := range p.ents {
			d.IndexSizeBytes += int64(ix.project(e.item, t.key).Size())
		}
	}
	if ix.global {
		d.IndexStatus = "ACTIVE"
		backfilling := false
		if now.Before(ix.activeAt) {
			d.IndexStatus, backfilling = "CREATING", true
		}
		d.Backfilling = &backfilling
		d.ProvisionedThroughput = &throughputDescription{ReadCapacityUnits: ix.rcu, WriteCapacityUnits: ix.wcu}
	}
	return d
}

// decreasesToday counts throughput decreases since midnight UTC.
func (t *table) decreasesToday(now time.Time) int {
	y1, m1, d1 := t.lastDec.UTC().Date()
	y2, m2, d2 := now.UTC().Date()
	if y1 == y2 && m1 == m2 && d1 == d2 {
		return t.decreases
	}
	return 0
}

// typeOf parses an AttributeType.
func typeOf(s string) expr.Type { return scalarType(s) }
