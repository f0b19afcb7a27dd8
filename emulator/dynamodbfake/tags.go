package dynamodbfake

import "strings"

// tableByARN finds the table a resource ARN names (a table's or an
// index's ARN), as the tagging operations do.
func (s *Server) tableByARN(arn string) (*table, *apiError) {
	if arn == "" {
		return nil, errMissing("resourceArn")
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "dynamodb" || !strings.HasPrefix(parts[5], "table/") {
		return nil, errInvalidf("Invalid TableArn: Invalid ResourceArn provided as input %s", arn)
	}
	name, _, _ := strings.Cut(strings.TrimPrefix(parts[5], "table/"), "/")
	s.mu.RLock()
	t := s.tables[name]
	s.mu.RUnlock()
	if t == nil || parts[3] != s.cfg.Region || parts[4] != s.cfg.AccountID {
		return nil, newError(codeResourceNotFound, "Requested resource not found: ResourcArn: %s not found", arn)
	}
	return t, nil
}

// arnTable names the table of a resource ARN for fault matching.
func arnTable(arn string) string {
	_, rest, ok := strings.Cut(arn, ":table/")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "/")
	return name
}
