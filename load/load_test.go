package load

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
	"golang.org/x/crypto/bcrypt"

	"github.com/dayu-emu/dayu"
)

func TestPercentile(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = ms(i + 1) // 1ms .. 100ms
	}
	thousand := make([]time.Duration, 1000)
	for i := range thousand {
		thousand[i] = ms(i + 1)
	}
	for _, c := range []struct {
		sorted []time.Duration
		q      float64
		want   time.Duration
	}{
		{nil, 0.5, 0},
		{[]time.Duration{ms(7)}, 0.5, ms(7)},
		{[]time.Duration{ms(7)}, 0.999, ms(7)},
		{[]time.Duration{ms(1), ms(2)}, 0.5, ms(1)},
		{hundred, 0.50, ms(50)},
		{hundred, 0.99, ms(99)}, // q*n whole: not pushed up by rounding
		{hundred, 0.999, ms(100)},
		{hundred, 1, ms(100)},
		{thousand, 0.999, ms(999)},
		{thousand, 0.001, ms(1)},
	} {
		if got := Percentile(c.sorted, c.q); got != c.want {
			t.Errorf("Percentile(%d values, %v) = %v, want %v", len(c.sorted), c.q, got, c.want)
		}
	}
}

func TestRecorderSummary(t *testing.T) {
	r := &Recorder{Expect: 200}
	for i := range 98 {
		r.Add(time.Duration(i+1)*time.Millisecond, 200, nil, "")
	}
	r.Add(500*time.Millisecond, 400, []byte(`{"error_code":"DAYU.4402","error_msg":"eps_id: ..."}`), "400 Bad Request")
	r.Add(time.Second, 0, nil, `Post "http://127.0.0.1:1/x": dial tcp 127.0.0.1:1: connect: connection refused`)
	s := r.Summary(2 * time.Second)
	if s.Requests != 100 || s.OK != 98 || s.PerSec != 49 {
		t.Errorf("requests %d, ok %d, ok/s %v; want 100, 98, 49", s.Requests, s.OK, s.PerSec)
	}
	if s.P50 != 50*time.Millisecond || s.P99 != 500*time.Millisecond || s.P999 != time.Second || s.Max != time.Second {
		t.Errorf("p50 %v p99 %v p99.9 %v max %v", s.P50, s.P99, s.P999, s.Max)
	}
	want := "400 DAYU.4402: 1, transport: connection refused: 1"
	if got := FormatErrors(s.Errors); got != want {
		t.Errorf("errors %q, want %q", got, want)
	}
}

func TestErrorKey(t *testing.T) {
	for _, c := range []struct {
		status int
		body   string
		want   string
	}{
		{400, `{"error_code":"DAYU.4402","error_msg":"x"}`, "400 DAYU.4402"},
		{401, `{"error":{"code":401,"message":"x","title":"Unauthorized"}}`, "401 Unauthorized"},
		{502, `<html>bad gateway</html>`, "502"},
	} {
		if got := ErrorKey(c.status, []byte(c.body), ""); got != c.want {
			t.Errorf("ErrorKey(%d, %s) = %q, want %q", c.status, c.body, got, c.want)
		}
	}
	if FormatErrors(nil) != "none" {
		t.Error("no errors should read none")
	}
}

// The bench world is a world Dayu accepts, with every enterprise project
// distinct and the bench user's password.
func TestWorldDocument(t *testing.T) {
	const n = 5000
	w := NewWorld(n)
	doc, err := w.Document(bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	world, err := dayu.ParseWorld(doc)
	if err != nil {
		t.Fatal(err)
	}
	d := world.DomainByName(w.DomainName)
	if d == nil || len(d.EnterpriseProjects) != n {
		t.Fatalf("domain %v", d)
	}
	seen := map[string]bool{}
	for i, e := range d.EnterpriseProjects {
		if e.ID != EpsID(i) || seen[e.ID] {
			t.Fatalf("enterprise project %d: %q (duplicate: %v)", i, e.ID, seen[e.ID])
		}
		seen[e.ID] = true
	}
	if !d.HasEnterpriseProject(EpsID(n-1)) || d.HasEnterpriseProject(EpsID(n)) {
		t.Error("the world should hold EpsID(0..n-1) and no more")
	}
	u := d.UserByName(w.UserName)
	if u == nil || !u.CheckPassword(w.Password) || u.Domain.ID != w.DomainID {
		t.Fatalf("user %v", u)
	}
	for _, id := range []string{w.PurchaseProject, w.ListProject, w.PreloadProject} {
		p := world.Project(id)
		if p == nil || p.Domain != d || !p.HasSecurityGroup(w.SGID) {
			t.Fatalf("project %s: %v", id, p)
		}
		if vpc, subnet := p.Subnet(w.VpcID, w.NetID); !vpc || !subnet {
			t.Fatalf("project %s lacks the network", id)
		}
	}
	// A purchase body of the world is one the purchase decoder reads.
	var body map[string]any
	if err := json.Unmarshal(w.PurchaseBody(EpsID(3), "x"), &body); err != nil || body["eps_id"] != EpsID(3) {
		t.Fatalf("purchase body: %v %v", body, err)
	}
	if len(EpsID(1)) != 36 || EpsID(1)[14] != '4' {
		t.Errorf("EpsID(1) = %q, want a version-4 shaped UUID", EpsID(1))
	}
}

func TestCheckLoopback(t *testing.T) {
	for _, ok := range []string{"http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:80"} {
		if err := CheckLoopback(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"http://10.0.0.1:8080", "http://example.com", "http://0.0.0.0:80"} {
		if err := CheckLoopback(bad); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}

// A short run against the no-op baseline: every scenario's request is one
// the baseline answers with the expected status, and the run stops on time.
func TestRunAgainstNoop(t *testing.T) {
	srv := httptest.NewServer(NoopHandler())
	defer srv.Close()
	w := NewWorld(10)
	plan := &Plan{World: w, Dayu: "http://127.0.0.1:1", Tokens: map[string]string{w.PurchaseProject: "t", w.ListProject: "t"}}
	for _, sc := range Scenarios {
		next, expect, err := plan.Requests(context.Background(), sc, srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		s, err := Run(context.Background(), RunConfig{BaseURL: srv.URL, Connections: 4, Duration: 200 * time.Millisecond, Expect: expect, Next: next})
		if err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("%s: the run took %s", sc, took)
		}
		if s.OK == 0 || s.OK != s.Requests || len(s.Errors) != 0 {
			t.Errorf("%s: %d of %d ok, errors %v", sc, s.OK, s.Requests, s.Errors)
		}
	}
}

// A scenario that runs out of requests ends the run early and says so.
func TestRunExhausted(t *testing.T) {
	srv := httptest.NewServer(NoopHandler())
	defer srv.Close()
	next := func(n uint64, t *vegeta.Target) error {
		if n >= 20 {
			return ErrExhausted
		}
		t.Method, t.URL = "GET", "/readyz"
		return nil
	}
	s, err := Run(context.Background(), RunConfig{BaseURL: srv.URL, Connections: 2, Duration: time.Minute, Expect: http.StatusOK, Next: next})
	if err != nil {
		t.Fatal(err)
	}
	if s.OK != 20 || len(s.Errors) != 1 {
		t.Errorf("ok %d, errors %v; want 20 and the out-of-enterprise-projects note", s.OK, s.Errors)
	}
}

func TestReadMemory(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc is Linux's")
	}
	m, err := ReadMemory(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if m.RSS == 0 || m.Peak < m.RSS {
		t.Errorf("RSS %d, peak %d", m.RSS, m.Peak)
	}
}

// The baseline serves, byte for byte, the list page it was given.
func TestNoopServesTheGivenListPage(t *testing.T) {
	srv := httptest.NewServer(NoopHandler())
	defer srv.Close()
	page := `{"billing_check":false,"count":1,"commodity_orders":[{"resource_id":"x"}]}`
	req, _ := http.NewRequest("PUT", srv.URL+noopListPagePath, strings.NewReader(page))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT: %v %v", resp, err)
	}
	resp, err := http.Get(srv.URL + "/v1/p/instances?limit=100")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if string(got) != page {
		t.Errorf("served %s, want %s", got, page)
	}
}
