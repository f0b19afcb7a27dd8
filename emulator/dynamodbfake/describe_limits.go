package dynamodbfake

// DescribeLimits.
//
// Matches AWS: the default account and table capacity quotas of a region
// (80,000 units per account, 40,000 per table, for reads and for writes).
// Differs: the quotas are not enforced.

type describeLimitsInput struct{}

func (in *describeLimitsInput) target() string { return "" }

type describeLimitsOutput struct {
	AccountMaxReadCapacityUnits  int64 `json:"AccountMaxReadCapacityUnits"`
	AccountMaxWriteCapacityUnits int64 `json:"AccountMaxWriteCapacityUnits"`
	TableMaxReadCapacityUnits    int64 `json:"TableMaxReadCapacityUnits"`
	TableMaxWriteCapacityUnits   int64 `json:"TableMaxWriteCapacityUnits"`
}

func describeLimits(s *Server, c *call, in *describeLimitsInput) (any, error) {
	return describeLimitsOutput{
		AccountMaxReadCapacityUnits: 80000, AccountMaxWriteCapacityUnits: 80000,
		TableMaxReadCapacityUnits: 40000, TableMaxWriteCapacityUnits: 40000,
	}, nil
}
