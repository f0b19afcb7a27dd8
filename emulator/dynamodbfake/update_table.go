package dynamodbfake

// UpdateTable.
//
// Matches AWS: provisioned throughput changes (refused when nothing would
// change, with AWS's message), BillingMode changes between PROVISIONED and
// PAY_PER_REQUEST, GlobalSecondaryIndexUpdates that Create (with new
// AttributeDefinitions; the index is CREATING for WithTableStatusDelay and
// backfilled from the items), Update (throughput) or Delete one index,
// StreamSpecification, TableClass and DeletionProtectionEnabled; the table
// is UPDATING for WithTableStatusDelay; ResourceInUseException while it is
// CREATING or UPDATING.
// Differs: more than one index update in a call is accepted; the limit of
// four throughput decreases a day is not enforced (the count is reported);
// ReplicaUpdates, SSESpecification and OnDemandThroughput are ignored.

import (
	"strconv"
	"time"

	"github.com/streamcheck/streamcheck/emulator/dynamodbfake/internal/expr"
)

type gsiUpdate struct {
	Create *indexInput `json:"Create"`
	Update *struct {
		IndexName             string                 `json:"IndexName"`
		ProvisionedThroughput *provisionedThroughput `json:"ProvisionedThroughput"`
	} `json:"Update"`
	Delete *struct {
		IndexName string `json:"IndexName"`
	} `json:"Delete"`
}

type updateTableInput struct {
	TableName                   string                 `json:"TableName"`
	AttributeDefinitions        []attributeDefinition  `json:"AttributeDefinitions"`
	BillingMode                 string                 `json:"BillingMode"`
	ProvisionedThroughput       *provisionedThroughput `json:"ProvisionedThroughput"`
	GlobalSecondaryIndexUpdates []gsiUpdate            `json:"GlobalSecondaryIndexUpdates"`
	StreamSpecification         *streamSpecification   `json:"StreamSpecification"`
	TableClass                  string                 `json:"TableClass"`
	DeletionProtectionEnabled   *bool                  `json:"DeletionProtectionEnabled"`
}

func (in *updateTableInput) target() string { return in.TableName }

type updateTableOutput struct {
	TableDescription *tableDescription `json:"TableDescription"`
}

func updateTable(s *Server, c *call, in *updateTableInput) (any, error) {
	t, aerr := s.lookup(in.TableName)
	if aerr != nil {
		return nil, aerr
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	switch t.status(c.now) {
	case "CREATING":
		return nil, errInUse("Attempt to change a resource which is still in use: Table is being created: %s", t.name)
	case "UPDATING":
		return nil, errInUse("Attempt to change a resource which is still in use: Table is being updated: %s", t.name)
	}
	if in.BillingMode == "" && in.ProvisionedThroughput == nil && in.GlobalSecondaryIndexUpdates == nil &&
		in.StreamSpecification == nil && in.TableClass == "" && in.DeletionProtectionEnabled == nil {
		return nil, errInvalid("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required")
	}
	// Work on a copy of the definition so a refused update changes nothing.
	next := tableDef{
		attrDefs: t.attrDefs, billing: t.billing, billingAt: t.billingAt, rcu: t.rcu, wcu: t.wcu,
		lastInc: t.lastInc, lastDec: t.lastDec, decreases: t.decreases,
		gsis: append([]*index(nil), t.gsis...), streamSpec: t.streamSpec, tableClass: t.tableClass, protect: t.protect,
	}
	changed := false
	switch in.BillingMode {
	case "":
	case "PROVISIONED":
		if t.billing != "PROVISIONED" {
			if in.ProvisionedThroughput == nil {
				return nil, errParam("ProvisionedThroughput must be specified when BillingMode is PROVISIONED")
			}
			next.billing, changed = "PROVISIONED", true
		}
	case "PAY_PER_REQUEST":
		if in.ProvisionedThroughput != nil {
			return nil, errParam("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
		}
		if t.billing != "PAY_PER_REQUEST" {
			next.billing, next.billingAt, next.rcu, next.wcu, changed = "PAY_PER_REQUEST", c.now, 0, 0, true
			for i, ix := range next.gsis {
				cp := *ix
				cp.rcu, cp.wcu = 0, 0
				next.gsis[i] = &cp
			}
		}
	default:
		return nil, errValidation("billingMode", "Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]", in.BillingMode)
	}
	if in.ProvisionedThroughput != nil {
		if next.billing != "PROVISIONED" {
			return nil, errParam("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
		}
		r, w, err := checkThroughput(in.ProvisionedThroughput)
		if err != nil {
			return nil, err
		}
		if r == t.rcu && w == t.wcu && t.billing == "PROVISIONED" && in.GlobalSecondaryIndexUpdates == nil {
			return nil, errInvalidf("The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the table: %d. Requested ReadCapacityUnits: %d. Current WriteCapacityUnits provisioned for the table: %d. Requested WriteCapacityUnits: %d. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.", t.rcu, r, t.wcu, w)
		}
		if r > t.rcu || w > t.wcu {
			next.lastInc = c.now
		}
		if r < t.rcu || w < t.wcu {
			next.decreases = t.decreasesToday(c.now) + 1
			next.lastDec = c.now
		}
		next.rcu, next.wcu, changed = r, w, true
	}
	var backfill []*index
	for _, u := range in.GlobalSecondaryIndexUpdates {
		n := 0
		for _, set := range []bool{u.Create != nil, u.Update != nil, u.Delete != nil} {
			if set {
				n++
			}
		}
		if n != 1 {
			return nil, errParam("One of GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Update or GlobalSecondaryIndexUpdate.Delete must be specified")
		}
		switch {
		case u.Create != nil:
			defs := make(map[string]expr.Type, len(t.attrDefs)+len(in.AttributeDefinitions))
			for k, v := range t.attrDefs {
				defs[k] = v
			}
			for i, d := range in.AttributeDefinitions {
				ty := typeOf(d.AttributeType)
				if ty == 0 {
					return nil, errValidation("attributeDefinitions."+strconv.Itoa(i+1)+".member.attributeType", "Member must satisfy enum value set: [B, N, S]", d.AttributeType)
				}
				if old, ok := defs[d.AttributeName]; ok && old != ty {
					return nil, errParam("Cannot change the type of attribute %s from %s to %s", d.AttributeName, old, ty)
				}
				defs[d.AttributeName] = ty
			}
			names := map[string]bool{}
			for _, ix := range append(append([]*index(nil), t.lsis...), next.gsis...) {
				names[ix.name] = true
			}
			if len(next.gsis) >= 20 {
				return nil, newError(codeLimitExceeded, "One or more parameter values were invalid: Number of GlobalSecondaryIndexes exceeds per-table limit of 20")
			}
			used := map[string]bool{}
			ix, err := buildIndex(u.Create, true, tableShape{t.key, next.billing}, defs, used, names)
			if err != nil {
				return nil, err
			}
			ix.activeAt = c.now.Add(s.cfg.statusDelay)
			next.attrDefs = defs
			next.gsis = append(next.gsis, ix)
			backfill = append(backfill, ix)
			changed = true
		case u.Update != nil:
			i := indexPos(next.gsis, u.Update.IndexName)
			if i < 0 {
				return nil, newError(codeResourceNotFound, "Requested resource not found: Index: %s not found", u.Update.IndexName)
			}
			if next.billing != "PROVISIONED" || u.Update.ProvisionedThroughput == nil {
				return nil, errParam("ProvisionedThroughput cannot be updated for index %s when BillingMode is PAY_PER_REQUEST", u.Update.IndexName)
			}
			r, w, err := checkThroughput(u.Update.ProvisionedThroughput)
			if err != nil {
				return nil, err
			}
			cp := *next.gsis[i]
			cp.rcu, cp.wcu = r, w
			next.gsis[i] = &cp
			changed = true
		case u.Delete != nil:
			i := indexPos(next.gsis, u.Delete.IndexName)
			if i < 0 {
				return nil, newError(codeResourceNotFound, "Requested resource not found: Index: %s not found", u.Delete.IndexName)
			}
			next.gsis = append(next.gsis[:i], next.gsis[i+1:]...)
			changed = true
		}
	}
	if in.BillingMode == "PROVISIONED" && t.billing != "PROVISIONED" {
		for _, ix := range next.gsis {
			if ix.rcu == 0 {
				return nil, errParam("ProvisionedThroughput must be specified for index: %s", ix.name)
			}
		}
	}
	if in.StreamSpecification != nil {
		if err := checkStreamSpec(in.StreamSpecification); err != nil {
			return nil, err
		}
		next.streamSpec, changed = in.StreamSpecification, true
	}
	switch in.TableClass {
	case "":
	case "STANDARD", "STANDARD_INFREQUENT_ACCESS":
		next.tableClass, changed = in.TableClass, true
	default:
		return nil, errValidation("tableClass", "Member must satisfy enum value set: [STANDARD, STANDARD_INFREQUENT_ACCESS]", in.TableClass)
	}
	if in.DeletionProtectionEnabled != nil {
		next.protect = *in.DeletionProtectionEnabled
	}
	// Commit: copy the definition back and backfill new indexes.
	t.attrDefs, t.billing, t.billingAt, t.rcu, t.wcu = next.attrDefs, next.billing, next.billingAt, next.rcu, next.wcu
	t.lastInc, t.lastDec, t.decreases = next.lastInc, next.lastDec, next.decreases
	t.gsis, t.streamSpec, t.tableClass, t.protect = next.gsis, next.streamSpec, next.tableClass, next.protect
	for _, ix := range backfill {
		for _, p := range t.space.sorted() {
			for _, e := range p.ents {
				if indexable(ix, e.item) {
					ix.space.insert(e, e.item)
				}
			}
		}
	}
	if changed {
		t.updatingTo = c.now.Add(s.cfg.statusDelay)
	}
	if err := s.logTable(t); err != nil {
		return nil, err
	}
	return updateTableOutput{TableDescription: s.describe(t, c.now)}, nil
}

// tableDef is the part of a table UpdateTable changes.
type tableDef struct {
	attrDefs         map[string]expr.Type
	billing          string
	billingAt        time.Time
	rcu, wcu         int64
	lastInc, lastDec time.Time
	decreases        int
	gsis             []*index
	streamSpec       *streamSpecification
	tableClass       string
	protect          bool
}

func indexPos(ixs []*index, name string) int {
	for i, ix := range ixs {
		if ix.name == name {
			return i
		}
	}
	return -1
}
