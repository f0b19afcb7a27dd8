package edge

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/streamcheck/streamcheck/emulator/fault"
)

// Client calls the fault API of a running edge endpoint.
type Client struct {
	// Endpoint is the edge URL, e.g. "http://127.0.0.1:4566".
	Endpoint string
	// HTTP is the client to use; nil means http.DefaultClient.
	HTTP *http.Client
}

// APIError is a non-success answer of the fault API.
type APIError struct {
	Status  int
	Message string
}

func (e *APIError) Error() string { return fmt.Sprintf("edge: HTTP %d: %s", e.Status, e.Message) }

// AddFault installs r and returns its ID.
func (c *Client) AddFault(ctx context.Context, r fault.Rule) (int, error) {
	body, err := json.Marshal(FromRule(r))
	if err != nil {
		return 0, fmt.Errorf("edge: encode rule: %w", err)
	}
	var out struct {
		ID int `json:"id"`
	}
	if err := c.do(ctx, http.MethodPost, FaultsPath, body, &out); err != nil {
		return 0, fmt.Errorf("edge: add fault at %s: %w", c.Endpoint, err)
	}
	return out.ID, nil
}

// Faults lists the installed rules.
func (c *Client) Faults(ctx context.Context) ([]Installed, error) {
	var out []Installed
	if err := c.do(ctx, http.MethodGet, FaultsPath, nil, &out); err != nil {
		return nil, fmt.Errorf("edge: list faults at %s: %w", c.Endpoint, err)
	}
	return out, nil
}

// RemoveFault removes rule id.
func (c *Client) RemoveFault(ctx context.Context, id int) error {
	if err := c.do(ctx, http.MethodDelete, fmt.Sprintf("%s/%d", FaultsPath, id), nil, nil); err != nil {
		return fmt.Errorf("edge: remove fault %d at %s: %w", id, c.Endpoint, err)
	}
	return nil
}

// ClearFaults removes every rule.
func (c *Client) ClearFaults(ctx context.Context) error {
	if err := c.do(ctx, http.MethodDelete, FaultsPath, nil, nil); err != nil {
		return fmt.Errorf("edge: clear faults at %s: %w", c.Endpoint, err)
	}
	return nil
}

func (c *Client) do(ctx context.Context, method, path string, body []byte, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.Endpoint, "/")+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("read answer: %w", err)
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Error string `json:"error"`
		}
		msg := strings.TrimSpace(string(data))
		if json.Unmarshal(data, &e) == nil && e.Error != "" {
			msg = e.Error
		}
		return &APIError{Status: resp.StatusCode, Message: msg}
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("decode answer: %w", err)
		}
	}
	return nil
}

// Kafka runs the Kafka control action ("shuffle-leaders", "move-partition",
// "remove-node", "add-node") with a and returns the answer; for add-node it
// holds the node and port used.
func (c *Client) Kafka(ctx context.Context, action string, a KafkaAction) (KafkaAction, error) {
	body, err := json.Marshal(a)
	if err != nil {
		return KafkaAction{}, fmt.Errorf("edge: encode Kafka action: %w", err)
	}
	var out KafkaAction
	if action != "add-node" {
		if err := c.do(ctx, http.MethodPost, KafkaPath+action, body, nil); err != nil {
			return KafkaAction{}, fmt.Errorf("edge: Kafka %s at %s: %w", action, c.Endpoint, err)
		}
		return out, nil
	}
	if err := c.do(ctx, http.MethodPost, KafkaPath+action, body, &out); err != nil {
		return KafkaAction{}, fmt.Errorf("edge: Kafka %s at %s: %w", action, c.Endpoint, err)
	}
	return out, nil
}
