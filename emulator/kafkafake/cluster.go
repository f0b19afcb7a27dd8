package kafkafake

import "fmt"

// CreateTopic creates topic with the given number of partitions.
func (s *Server) CreateTopic(topic string, partitions int) error {
	c := s.get()
	if c == nil {
		return ErrNotStarted
	}
	if err := c.CreateTopic(topic, int32(partitions), nil); err != nil {
		return fmt.Errorf("kafkafake: create topic %q with %d partitions: %w", topic, partitions, err)
	}
	return nil
}

// MoveTopicPartition makes node the leader of topic's partition, as a
// reassignment or a preferred-leader election would. Clients that still send
// to the old leader get NOT_LEADER_FOR_PARTITION and refresh their metadata.
func (s *Server) MoveTopicPartition(topic string, partition, node int32) error {
	c := s.get()
	if c == nil {
		return ErrNotStarted
	}
	if err := c.MoveTopicPartition(topic, partition, node); err != nil {
		return fmt.Errorf("kafkafake: move %s/%d to node %d: %w", topic, partition, node, err)
	}
	return nil
}

// LeaderFor returns the node leading topic's partition, or -1 if there is no
// such partition or the server is not running.
func (s *Server) LeaderFor(topic string, partition int32) int32 {
	c := s.get()
	if c == nil {
		return -1
	}
	return c.LeaderFor(topic, partition)
}

// RemoveNode takes broker node down: its listener closes, its connections
// end and its partitions get new leaders among the remaining brokers. The
// last broker cannot be removed.
func (s *Server) RemoveNode(node int32) error {
	c := s.get()
	if c == nil {
		return ErrNotStarted
	}
	if err := c.RemoveNode(node); err != nil {
		return fmt.Errorf("kafkafake: remove node %d: %w", node, err)
	}
	return nil
}

// AddNode brings a broker up as node (-1 for the next free ID) on port (0 for
// a free one), for instance the node and port RemoveNode took down, and
// returns the node and port used. Partition leaders are redistributed.
func (s *Server) AddNode(node int32, port int) (int32, int, error) {
	c := s.get()
	if c == nil {
		return 0, 0, ErrNotStarted
	}
	n, p, err := c.AddNode(node, port)
	if err != nil {
		return 0, 0, fmt.Errorf("kafkafake: add node %d on port %d: %w", node, port, err)
	}
	return n, p, nil
}

// ShufflePartitionLeaders elects a new leader for every partition, bumping
// leader epochs, as after a rolling restart.
func (s *Server) ShufflePartitionLeaders() error {
	c := s.get()
	if c == nil {
		return ErrNotStarted
	}
	c.ShufflePartitionLeaders()
	return nil
}
