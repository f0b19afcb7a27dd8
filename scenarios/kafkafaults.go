package scenarios

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/streamcheck/streamcheck/engine"
)

// KafkaBrokerFaults returns a Scenario.During that disturbs the embedded
// Kafka cluster (Setup.KafkaBrokers of at least 2) while the load goes on,
// pause apart: it moves the leadership of every partition of the run's
// topic to the next broker, as a reassignment does; takes down the broker
// the seed picks (its listener closes, its connections end, its partitions
// get new leaders) and brings it back on the same port; and finally elects
// new leaders for every partition, as after a rolling restart. Producers
// and the engine see NOT_LEADER_FOR_PARTITION, refused connections and
// stale metadata, and must still deliver every record once. It needs the
// embedded backend. kfake picks new leaders after a removal or a shuffle
// from its own random source, so those choices are not reproduced by the
// seed; the moves and the broker taken down are.
func KafkaBrokerFaults(pause time.Duration) func(ctx context.Context, env Env, seed uint64) error {
	return func(ctx context.Context, env Env, seed uint64) error {
		if env.Kind != engine.KindKafka {
			return fmt.Errorf("kafka broker faults: the source is %s, want kafka", env.Kind)
		}
		kf := env.Stack.Kafka()
		if kf == nil {
			return fmt.Errorf("kafka broker faults: the %s backend has no embedded Kafka to disturb", env.Stack.Backend)
		}
		addrs := kf.Addrs()
		n := int32(len(addrs))
		if n < 2 {
			return fmt.Errorf("kafka broker faults: %d broker, want at least 2 (Setup.KafkaBrokers)", n)
		}
		say := func(format string, args ...any) { fmt.Fprintf(env.Progress, "  "+format+"\n", args...) }
		if !pauseFor(ctx, pause) {
			return nil // the run ended first: nothing left to do
		}
		moved := 0
		for p := int32(0); ; p++ {
			leader := kf.LeaderFor(env.Stream, p)
			if leader < 0 {
				break
			}
			to := (leader + 1) % n
			if err := kf.MoveTopicPartition(env.Stream, p, to); err != nil {
				return fmt.Errorf("kafka broker faults: %w", err)
			}
			moved++
		}
		say("moved the leaders of %d partitions of %s to the next broker", moved, env.Stream)
		if !pauseFor(ctx, pause) {
			return nil // the run ended first: nothing left to do
		}
		node := int32(seed % uint64(n))
		_, portText, err := net.SplitHostPort(addrs[node])
		if err != nil {
			return fmt.Errorf("kafka broker faults: broker %d address %q: %w", node, addrs[node], err)
		}
		port, _ := strconv.Atoi(portText)
		if err := kf.RemoveNode(node); err != nil {
			return fmt.Errorf("kafka broker faults: %w", err)
		}
		say("took broker %d (%s) down", node, addrs[node])
		if err := sleep(ctx, pause); err != nil {
			// Bring it back even so: the engine's drain needs it less
			// than the next scenario sharing the stack does.
			pause = 0
		}
		if _, _, err := kf.AddNode(node, port); err != nil {
			// The port may have been taken meanwhile; any port will do.
			if _, port, err = kf.AddNode(node, 0); err != nil {
				return fmt.Errorf("kafka broker faults: bring broker %d back: %w", node, err)
			}
		}
		say("brought broker %d back on port %d", node, port)
		if !pauseFor(ctx, pause) {
			return nil // the run ended first: nothing left to do
		}
		if err := kf.ShufflePartitionLeaders(); err != nil {
			return fmt.Errorf("kafka broker faults: %w", err)
		}
		say("elected new leaders for every partition")
		return nil
	}
}
