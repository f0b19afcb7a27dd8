package emulator

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/streamcheck/streamcheck/emulator/edge"
	"github.com/streamcheck/streamcheck/emulator/fault"
	"github.com/streamcheck/streamcheck/emulator/internal/httpserve"
	"github.com/streamcheck/streamcheck/emulator/kafkafake"
	"github.com/streamcheck/streamcheck/emulator/stsfake"
)

// newEdgeServer returns the HTTP server of the edge port: HTTP/1.1 and
// cleartext HTTP/2 (SubscribeToShard), no read timeout (GetRecords and
// SubscribeToShard stay open).
func newEdgeServer(kin, s3s, ddb http.Handler, sts *stsfake.Server, kafka *kafkafake.Server, in *fault.Injector, version string, brokers []string) (*httpserve.Server, error) {
	r, err := edge.New(kin, s3s,
		edge.WithDynamoDB(ddb),
		edge.WithSTS(sts, sts.Expired),
		edge.WithKafka(kafka),
		edge.WithFaults(in),
		edge.WithValidator(kafkafake.ValidateRule),
		edge.WithVersion(version),
		edge.WithHealthInfo("kafka", strings.Join(brokers, ",")),
	)
	if err != nil {
		return nil, fmt.Errorf("emulator: edge router: %w", err)
	}
	return httpserve.NewServer(r), nil
}
