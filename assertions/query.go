package assertions

import (
	"context"
	"fmt"
)

// Table is the result of Query: column names and DuckDB type names, and
// the rows as database/sql scanned them.
type Table struct {
	Columns []string `json:"columns"`
	Types   []string `json:"types"`
	Rows    [][]any  `json:"rows"`
}

// Query runs SQL over the session's views: output (hive partition columns
// included), dead_letter when a dead-letter path is configured, and ledger
// when a ledger is. Errors carry DuckDB's message.
func (s *Session) Query(ctx context.Context, q string) (*Table, error) {
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	defer rows.Close()
	cols, err := rows.ColumnTypes()
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	t := &Table{}
	for _, c := range cols {
		t.Columns = append(t.Columns, c.Name())
		t.Types = append(t.Types, c.DatabaseTypeName())
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("query: %w", err)
		}
		t.Rows = append(t.Rows, vals)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	return t, nil
}
