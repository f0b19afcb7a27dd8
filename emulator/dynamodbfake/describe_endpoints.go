package dynamodbfake

// DescribeEndpoints.
//
// Matches AWS: one endpoint with a cache period of 1,440 minutes.
// Differs: the address is the Host the request was sent to (this server, or
// the router in front of it), so a client that discovers endpoints keeps
// talking to it.

type describeEndpointsInput struct{}

func (in *describeEndpointsInput) target() string { return "" }

type endpoint struct {
	Address              string `json:"Address"`
	CachePeriodInMinutes int64  `json:"CachePeriodInMinutes"`
}

type describeEndpointsOutput struct {
	Endpoints []endpoint `json:"Endpoints"`
}

func describeEndpoints(s *Server, c *call, in *describeEndpointsInput) (any, error) {
	host := c.r.Host
	if host == "" {
		host = "dynamodb." + s.cfg.Region + ".amazonaws.com"
	}
	return describeEndpointsOutput{Endpoints: []endpoint{{Address: host, CachePeriodInMinutes: 1440}}}, nil
}
