package dynamodbfake

// DeleteTable.
//
// Matches AWS: the answer describes the table with status DELETING;
// ResourceNotFoundException for a table that does not exist,
// ResourceInUseException while it is CREATING or UPDATING, and
// ValidationException while deletion protection is on.
// Differs: the table and its items are gone as soon as the answer is sent
// (AWS keeps it DELETING for a while).

type deleteTableInput struct {
	TableName string `json:"TableName"`
}

func (in *deleteTableInput) target() string { return in.TableName }

type deleteTableOutput struct {
	TableDescription *tableDescription `json:"TableDescription"`
}

func deleteTable(s *Server, c *call, in *deleteTableInput) (any, error) {
	t, err := s.lookup(in.TableName)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	switch t.status(c.now) {
	case "CREATING":
		return nil, errInUse("Attempt to change a resource which is still in use: Table is being created: %s", t.name)
	case "UPDATING":
		return nil, errInUse("Attempt to change a resource which is still in use: Table is being updated: %s", t.name)
	}
	if t.protect {
		return nil, errInvalidf("Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.")
	}
	s.mu.Lock()
	if s.tables[t.name] != t {
		s.mu.Unlock()
		return nil, errNoTable(t.name)
	}
	delete(s.tables, t.name)
	s.mu.Unlock()
	if err := s.logDrop(t); err != nil {
		return nil, err
	}
	d := s.describe(t, c.now)
	d.TableStatus = "DELETING"
	return deleteTableOutput{TableDescription: d}, nil
}
