package edge

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/streamcheck/streamcheck/emulator/fault"
)

// Rule is fault.Rule as the fault API reads and writes it: Delay is a Go
// duration string ("500ms", "2s"); a JSON number is read as nanoseconds.
type Rule struct {
	fault.Rule
	Delay Duration `json:"delay,omitempty"`
}

// Installed is fault.Installed as the fault API lists it.
type Installed struct {
	ID      int  `json:"id"`
	Rule    Rule `json:"rule"`
	Seen    int  `json:"seen"`
	Fired   int  `json:"fired"`
	Expired bool `json:"expired"`
}

// FromRule converts r for the fault API.
func FromRule(r fault.Rule) Rule { return Rule{Rule: r, Delay: Duration(r.Delay)} }

// FaultRule returns the fault.Rule r describes.
func (r Rule) FaultRule() fault.Rule {
	fr := r.Rule
	fr.Delay = time.Duration(r.Delay)
	return fr
}

// Duration is a time.Duration that reads and writes JSON as a duration
// string.
type Duration time.Duration

// MarshalJSON writes d as a duration string such as "500ms".
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a duration string or a number of nanoseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("delay %q: want a duration such as \"500ms\" or \"2s\"", s)
		}
		*d = Duration(v)
		return nil
	}
	var n int64
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("delay %s: want a duration string such as \"500ms\" or a number of nanoseconds", b)
	}
	*d = Duration(n)
	return nil
}

func (r *Router) serveFaults(w http.ResponseWriter, req *http.Request) {
	if r.faults == nil {
		writeError(w, http.StatusNotImplemented, "faults are not available on this endpoint")
		return
	}
	rest := strings.Trim(strings.TrimPrefix(req.URL.Path, FaultsPath), "/")
	switch {
	case rest == "" && req.Method == http.MethodGet:
		rules := r.faults.Rules()
		out := make([]Installed, len(rules))
		for i, in := range rules {
			out[i] = Installed{ID: in.ID, Rule: FromRule(in.Rule), Seen: in.Seen, Fired: in.Fired, Expired: in.Expired}
		}
		writeJSON(w, http.StatusOK, out)
	case rest == "" && req.Method == http.MethodPost:
		r.addFault(w, req)
	case rest == "" && req.Method == http.MethodDelete:
		r.faults.Clear()
		w.WriteHeader(http.StatusNoContent)
	case rest != "" && req.Method == http.MethodDelete:
		id, err := strconv.Atoi(rest)
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("rule id %q: want a number", rest))
			return
		}
		if !r.faults.Remove(id) {
			writeError(w, http.StatusNotFound, fmt.Sprintf("no rule %d", id))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s %s: want GET, POST or DELETE %s, or DELETE %s/{id}", req.Method, req.URL.Path, FaultsPath, FaultsPath))
	}
}

func (r *Router) addFault(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "read rule: "+err.Error())
		return
	}
	var rule Rule
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rule); err != nil {
		writeError(w, http.StatusBadRequest, "decode rule: "+err.Error())
		return
	}
	fr := rule.FaultRule()
	if r.validate != nil {
		if err := r.validate(fr); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	id, err := r.faults.Add(fr)
	if err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, fault.ErrInvalidRule) {
			status = http.StatusBadRequest
		}
		writeError(w, status, err.Error())
		return
	}
	writeJSON(w, http.StatusCreated, map[string]int{"id": id})
}
