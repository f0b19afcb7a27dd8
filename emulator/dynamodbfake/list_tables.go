package dynamodbfake

// ListTables.
//
// Matches AWS: names in order, Limit from 1 to 100 (default 100),
// ExclusiveStartTableName and LastEvaluatedTableName for paging.
// Differs: tables still CREATING are listed, as AWS does, and deleted ones
// vanish at once.

type listTablesInput struct {
	ExclusiveStartTableName string `json:"ExclusiveStartTableName"`
	Limit                   *int   `json:"Limit"`
}

func (in *listTablesInput) target() string { return "" }

type listTablesOutput struct {
	TableNames             []string `json:"TableNames"`
	LastEvaluatedTableName string   `json:"LastEvaluatedTableName,omitempty"`
}

func listTables(s *Server, c *call, in *listTablesInput) (any, error) {
	limit := 100
	if in.Limit != nil {
		limit = *in.Limit
		if limit < 1 || limit > 100 {
			return nil, errValidation("limit", "Member must have value "+map[bool]string{true: "greater than or equal to 1", false: "less than or equal to 100"}[limit < 1], limit)
		}
	}
	if in.ExclusiveStartTableName != "" {
		if err := validTableName("exclusiveStartTableName", in.ExclusiveStartTableName); err != nil {
			return nil, err
		}
	}
	out := listTablesOutput{TableNames: []string{}}
	for _, t := range s.sortedTables() {
		if t.name <= in.ExclusiveStartTableName {
			continue
		}
		if len(out.TableNames) == limit {
			out.LastEvaluatedTableName = out.TableNames[limit-1]
			break
		}
		out.TableNames = append(out.TableNames, t.name)
	}
	return out, nil
}
