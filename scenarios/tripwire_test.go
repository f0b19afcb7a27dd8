package scenarios

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestTripwires drives the tripwires' proxy with plain HTTP: only output
// writes count, the in-sink tripwire kills before the answer and cuts the
// connection after the upstream stored the object, and the after-sink one
// answers first and then kills.
func TestTripwires(t *testing.T) {
	t.Parallel()
	var stored atomic.Int64
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			stored.Add(1)
		}
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(up.Close)
	var kills atomic.Int64
	tw, err := newTripwires(up.URL, "lake", "out", []Tripwire{{At: TripAfterSink, Object: 3}, {At: TripInSink, Object: 2}, {At: TripAfterSink, Object: 2, Prefix: "cp/commits/"}}, func() { kills.Add(1) })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tw.Close() })
	do := func(method, path, host string) (string, error) {
		req, err := http.NewRequestWithContext(t.Context(), method, tw.URL()+path, strings.NewReader("x"))
		if err != nil {
			t.Fatal(err)
		}
		if host != "" {
			req.Host = host
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return string(b), err
	}
	steps := []struct {
		name         string
		method, path string
		host         string
		wantErr      bool
		wantKills    int64
		wantFired    []string
	}{
		{name: "a read does not count", method: http.MethodGet, path: "/lake/out/a"},
		{name: "another prefix does not count", method: http.MethodPut, path: "/lake/elsewhere/a"},
		{name: "a part does not count", method: http.MethodPut, path: "/lake/out/big?partNumber=1&uploadId=u"},
		{name: "object 1 passes", method: http.MethodPut, path: "/lake/out/1"},
		{name: "object 2 is stored, never answered", method: http.MethodPut, path: "/out/2", host: "lake.s3.local", wantErr: true, wantKills: 1,
			wantFired: []string{"in-sink of output object 2"}},
		{name: "object 3 is answered, then the kill", method: http.MethodPost, path: "/lake/out/3?uploadId=u", wantKills: 2,
			wantFired: []string{"after-sink of output object 3"}},
		{name: "object 4 passes", method: http.MethodPut, path: "/lake/out/4", wantKills: 2},
		{name: "a checkpoint plan does not count", method: http.MethodPut, path: "/lake/cp/offsets/0", wantKills: 2},
		{name: "commit 1 passes", method: http.MethodPut, path: "/lake/cp/commits/0", wantKills: 2},
		{name: "commit 2 is answered, then the kill", method: http.MethodPut, path: "/lake/cp/commits/1", wantKills: 3,
			wantFired: []string{"after-sink of write 2 under cp/commits/"}},
	}
	for _, st := range steps {
		_, err := do(st.method, st.path, st.host)
		if (err != nil) != st.wantErr {
			t.Errorf("%s: error %v, want an error: %v", st.name, err, st.wantErr)
		}
		if got := kills.Load(); got != st.wantKills {
			t.Errorf("%s: %d kills, want %d", st.name, got, st.wantKills)
		}
		if got := tw.takeFired(); strings.Join(got, ",") != strings.Join(st.wantFired, ",") {
			t.Errorf("%s: fired %q, want %q", st.name, got, st.wantFired)
		}
	}
	if got := stored.Load(); got != 8 {
		t.Errorf("upstream stored %d objects, want 8 (the in-sink one included)", got)
	}
	if left := tw.left(); len(left) != 0 {
		t.Errorf("tripwires left %v, want none", left)
	}
}
