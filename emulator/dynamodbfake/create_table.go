package dynamodbfake

// CreateTable.
//
// Matches AWS: validation of the name, attribute definitions (every one
// used by a key, every key attribute defined), key schemas, billing mode and
// throughput, up to 5 local and 20 global secondary indexes with KEYS_ONLY,
// INCLUDE or ALL projections; Tags, StreamSpecification, TableClass and
// DeletionProtectionEnabled are kept and described; ResourceInUseException
// for an existing name; LimitExceededException beyond 2,500 tables; the
// table is CREATING for WithTableStatusDelay, then ACTIVE.
// Differs: SSESpecification, OnDemandThroughput, WarmThroughput and
// ResourcePolicy are accepted and ignored.

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/streamcheck/streamcheck/emulator/dynamodbfake/internal/expr"
)

const maxTables = 2500

// throughputMember names ProvisionedThroughput in validation messages.
const throughputMember = "provisionedThroughput"

type provisionedThroughput struct {
	ReadCapacityUnits  *int64 `json:"ReadCapacityUnits"`
	WriteCapacityUnits *int64 `json:"WriteCapacityUnits"`
}

type indexInput struct {
	IndexName             string                 `json:"IndexName"`
	KeySchema             []keySchemaElement     `json:"KeySchema"`
	Projection            *projectionJSON        `json:"Projection"`
	ProvisionedThroughput *provisionedThroughput `json:"ProvisionedThroughput"`
}

type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type createTableInput struct {
	TableName                 string                 `json:"TableName"`
	AttributeDefinitions      []attributeDefinition  `json:"AttributeDefinitions"`
	KeySchema                 []keySchemaElement     `json:"KeySchema"`
	BillingMode               string                 `json:"BillingMode"`
	ProvisionedThroughput     *provisionedThroughput `json:"ProvisionedThroughput"`
	LocalSecondaryIndexes     []indexInput           `json:"LocalSecondaryIndexes"`
	GlobalSecondaryIndexes    []indexInput           `json:"GlobalSecondaryIndexes"`
	Tags                      []tag                  `json:"Tags"`
	StreamSpecification       *streamSpecification   `json:"StreamSpecification"`
	TableClass                string                 `json:"TableClass"`
	DeletionProtectionEnabled bool                   `json:"DeletionProtectionEnabled"`
}

func (in *createTableInput) target() string { return in.TableName }

type createTableOutput struct {
	TableDescription *tableDescription `json:"TableDescription"`
}

func createTable(s *Server, c *call, in *createTableInput) (any, error) {
	if err := validTableName("tableName", in.TableName); err != nil {
		return nil, err
	}
	t, err := s.buildTable(in, c.now)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.tables[in.TableName] != nil {
		s.mu.Unlock()
		return nil, errInUse("Table already exists: %s", in.TableName)
	}
	if len(s.tables) >= maxTables {
		s.mu.Unlock()
		return nil, newError(codeLimitExceeded, "Subscriber limit exceeded: Only %d tables are allowed per account and region", maxTables)
	}
	s.tables[in.TableName] = t
	s.mu.Unlock()
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := s.logTable(t); err != nil {
		s.mu.Lock()
		delete(s.tables, in.TableName)
		s.mu.Unlock()
		return nil, err
	}
	return createTableOutput{TableDescription: s.describe(t, c.now)}, nil
}

// newTableID derives a table's ID (a UUID in form) from the seed, the name
// and a serial, so a seed reproduces it.
func (s *Server) newTableID(name string) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], s.cfg.Seed)
	binary.BigEndian.PutUint64(b[8:], s.tableSeq.Add(1))
	sum := sha256.Sum256(append(b[:], name...))
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func (s *Server) buildTable(in *createTableInput, now time.Time) (*table, *apiError) {
	if in.AttributeDefinitions == nil {
		return nil, errMissing("attributeDefinitions")
	}
	if in.KeySchema == nil {
		return nil, errMissing("keySchema")
	}
	defs := make(map[string]expr.Type, len(in.AttributeDefinitions))
	for i, d := range in.AttributeDefinitions {
		ty := typeOf(d.AttributeType)
		if ty == 0 {
			return nil, errValidation(fmt.Sprintf("attributeDefinitions.%d.member.attributeType", i+1), "Member must satisfy enum value set: [B, N, S]", d.AttributeType)
		}
		if d.AttributeName == "" {
			return nil, errMissing(fmt.Sprintf("attributeDefinitions.%d.member.attributeName", i+1))
		}
		if _, dup := defs[d.AttributeName]; dup {
			return nil, errParam("Duplicate AttributeName in AttributeDefinitions: %s", d.AttributeName)
		}
		defs[d.AttributeName] = ty
	}
	used := make(map[string]bool)
	key, err := parseKeySchema("keySchema", in.KeySchema, defs, used)
	if err != nil {
		return nil, err
	}
	t := &table{
		name: in.TableName, id: s.newTableID(in.TableName), created: now, activeAt: now.Add(s.cfg.statusDelay),
		attrDefs: defs, key: key, billing: in.BillingMode, protect: in.DeletionProtectionEnabled,
		tableClass: in.TableClass, items: make(map[string]*entry),
	}
	t.space = newKeyspace(key)
	switch in.BillingMode {
	case "", "PROVISIONED":
		t.billing = "PROVISIONED"
		if in.ProvisionedThroughput == nil {
			return nil, errParam("ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
		}
		r, w, err := checkThroughput(in.ProvisionedThroughput)
		if err != nil {
			return nil, err
		}
		t.rcu, t.wcu = r, w
	case "PAY_PER_REQUEST":
		if in.ProvisionedThroughput != nil {
			return nil, errParam("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
		}
		t.billingAt = now
	default:
		return nil, errValidation("billingMode", "Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]", in.BillingMode)
	}
	switch in.TableClass {
	case "", "STANDARD", "STANDARD_INFREQUENT_ACCESS":
	default:
		return nil, errValidation("tableClass", "Member must satisfy enum value set: [STANDARD, STANDARD_INFREQUENT_ACCESS]", in.TableClass)
	}
	if in.StreamSpecification != nil {
		if err := checkStreamSpec(in.StreamSpecification); err != nil {
			return nil, err
		}
		t.streamSpec = in.StreamSpecification
	}
	if len(in.LocalSecondaryIndexes) > 5 {
		return nil, newError(codeLimitExceeded, "One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table limit of 5")
	}
	if len(in.GlobalSecondaryIndexes) > 20 {
		return nil, newError(codeLimitExceeded, "One or more parameter values were invalid: Number of GlobalSecondaryIndexes exceeds per-table limit of 20")
	}
	names := map[string]bool{}
	if in.LocalSecondaryIndexes != nil && len(in.LocalSecondaryIndexes) == 0 {
		return nil, errParam("List of LocalSecondaryIndexes is empty")
	}
	for i := range in.LocalSecondaryIndexes {
		ix, err := buildIndex(&in.LocalSecondaryIndexes[i], false, tableShape{t.key, t.billing}, defs, used, names)
		if err != nil {
			return nil, err
		}
		t.lsis = append(t.lsis, ix)
	}
	if in.GlobalSecondaryIndexes != nil && len(in.GlobalSecondaryIndexes) == 0 {
		return nil, errParam("List of GlobalSecondaryIndexes is empty")
	}
	for i := range in.GlobalSecondaryIndexes {
		ix, err := buildIndex(&in.GlobalSecondaryIndexes[i], true, tableShape{t.key, t.billing}, defs, used, names)
		if err != nil {
			return nil, err
		}
		ix.activeAt = t.activeAt
		t.gsis = append(t.gsis, ix)
	}
	if len(used) != len(defs) {
		return nil, errParam("Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions")
	}
	if len(in.Tags) > 0 {
		t.tags = make(map[string]string, len(in.Tags))
		for _, tg := range in.Tags {
			t.tags[tg.Key] = tg.Value
		}
	}
	return t, nil
}

func checkStreamSpec(sp *streamSpecification) *apiError {
	switch sp.StreamViewType {
	case "", "KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES":
	default:
		return errValidation("streamSpecification.streamViewType", "Member must satisfy enum value set: [NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY]", sp.StreamViewType)
	}
	if sp.StreamEnabled && sp.StreamViewType == "" {
		return errParam("You must specify a StreamViewType when enabling a stream")
	}
	return nil
}

// parseKeySchema checks a KeySchema: a HASH element, then an optional RANGE
// element, both defined in defs. It marks the attributes used.
func parseKeySchema(member string, ks []keySchemaElement, defs map[string]expr.Type, used map[string]bool) (keySchema, *apiError) {
	var k keySchema
	if len(ks) < 1 || len(ks) > 2 {
		return k, errValidation(member, "Member must have length less than or equal to 2", ks)
	}
	var missing []string
	for i, e := range ks {
		if e.AttributeName == "" {
			return k, errMissing(fmt.Sprintf("%s.%d.member.attributeName", member, i+1))
		}
		ty, ok := defs[e.AttributeName]
		if !ok {
			missing = append(missing, e.AttributeName)
		}
		switch {
		case e.KeyType == "HASH" && i == 0:
			k.hash = keyAttr{e.AttributeName, ty}
		case e.KeyType == "RANGE" && i == 1:
			if e.AttributeName == k.hash.name {
				return k, errParam("Both the Hash Key and the Range Key element in the KeySchema have the same name")
			}
			k.rng = keyAttr{e.AttributeName, ty}
		case e.KeyType != "HASH" && e.KeyType != "RANGE":
			return k, errValidation(fmt.Sprintf("%s.%d.member.keyType", member, i+1), "Member must satisfy enum value set: [HASH, RANGE]", e.KeyType)
		default:
			return k, errParam("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
		}
		used[e.AttributeName] = true
	}
	if len(missing) > 0 {
		names := make([]string, 0, len(defs))
		for n := range defs {
			names = append(names, n)
		}
		sort.Strings(names)
		return k, errParam("Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]", strings.Join(missing, ", "), strings.Join(names, ", "))
	}
	return k, nil
}

func checkThroughput(pt *provisionedThroughput) (int64, int64, *apiError) {
	if pt.ReadCapacityUnits == nil {
		return 0, 0, errMissing(throughputMember + ".readCapacityUnits")
	}
	if pt.WriteCapacityUnits == nil {
		return 0, 0, errMissing(throughputMember + ".writeCapacityUnits")
	}
	r, w := *pt.ReadCapacityUnits, *pt.WriteCapacityUnits
	if r < 1 {
		return 0, 0, errValidation(throughputMember+".readCapacityUnits", "Member must have value greater than or equal to 1", r)
	}
	if w < 1 {
		return 0, 0, errValidation(throughputMember+".writeCapacityUnits", "Member must have value greater than or equal to 1", w)
	}
	return r, w, nil
}

// tableShape is what buildIndex needs to know of the table.
type tableShape struct {
	key     keySchema
	billing string
}

// buildIndex checks one index definition against its table.
func buildIndex(in *indexInput, global bool, t tableShape, defs map[string]expr.Type, used, names map[string]bool) (*index, *apiError) {
	kind := "LocalSecondaryIndex"
	if global {
		kind = "GlobalSecondaryIndex"
	}
	if in.IndexName == "" {
		return nil, errMissing("indexName")
	}
	if len(in.IndexName) < 3 || len(in.IndexName) > 255 || !validName(in.IndexName) {
		return nil, errValidation("indexName", "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length between 3 and 255", in.IndexName)
	}
	if names[in.IndexName] {
		return nil, errParam("Duplicate index name: %s", in.IndexName)
	}
	names[in.IndexName] = true
	k, err := parseKeySchema("keySchema", in.KeySchema, defs, used)
	if err != nil {
		return nil, err
	}
	ix := &index{name: in.IndexName, global: global, key: k}
	if !global {
		if t.key.rng.name == "" {
			return nil, errParam("Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex")
		}
		if k.hash.name != t.key.hash.name {
			return nil, errParam("Index KeySchema does not have the same leading hash key as table KeySchema for index: %s. index hash key: %s, table hash key: %s", in.IndexName, k.hash.name, t.key.hash.name)
		}
		if k.rng.name == "" {
			return nil, errParam("Index KeySchema for %s must have a range key", in.IndexName)
		}
		if in.ProvisionedThroughput != nil {
			return nil, errParam("ProvisionedThroughput cannot be specified for a %s", kind)
		}
	}
	if in.Projection == nil {
		return nil, errMissing("projection")
	}
	p := in.Projection
	switch p.ProjectionType {
	case "ALL", "KEYS_ONLY":
		if p.NonKeyAttributes != nil {
			return nil, errParam("ProjectionType is %s, but NonKeyAttributes is specified", p.ProjectionType)
		}
	case "INCLUDE":
		if len(p.NonKeyAttributes) == 0 {
			return nil, errParam("ProjectionType is INCLUDE, but NonKeyAttributes is not specified")
		}
		if len(p.NonKeyAttributes) > 100 {
			return nil, newError(codeLimitExceeded, "One or more parameter values were invalid: Number of projected attributes in all indexes exceeds limit of 100")
		}
	case "":
		return nil, errParam("Unknown ProjectionType: null")
	default:
		return nil, errValidation("projection.projectionType", "Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]", p.ProjectionType)
	}
	ix.proj = projection{typ: p.ProjectionType, nonKey: p.NonKeyAttributes}
	if global {
		if t.billing == "PROVISIONED" {
			if in.ProvisionedThroughput == nil {
				return nil, errParam("ProvisionedThroughput is not specified for index: %s", in.IndexName)
			}
			r, w, err := checkThroughput(in.ProvisionedThroughput)
			if err != nil {
				return nil, err
			}
			ix.rcu, ix.wcu = r, w
		} else if in.ProvisionedThroughput != nil {
			return nil, errParam("ProvisionedThroughput should not be specified for index: %s when BillingMode is PAY_PER_REQUEST", in.IndexName)
		}
	}
	ix.space = newKeyspace(k)
	return ix, nil
}
