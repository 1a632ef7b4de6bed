package http_test

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/node"
)

// scrape reads /metrics with the admin token and parses it as Prometheus
// does.
func (s *server) scrape() metricSet {
	s.t.Helper()
	r, err := s.raw("GET", "/metrics", nil, adminAuth...)
	if err != nil || r.status != http.StatusOK {
		s.t.Fatalf("GET /metrics: %v %d %s", err, r.status, r.body)
	}
	return parseMetrics(s.t, r.body)
}

func parseMetrics(t *testing.T, body []byte) metricSet {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("the metrics do not parse: %v\n%s", err, body)
	}
	return metricSet{t, families}
}

// metricSet is a scrape, parsed.
type metricSet struct {
	t        *testing.T
	families map[string]*dto.MetricFamily
}

// find is the series of name whose labels include labels (name=value
// pairs), failing the test when there is none.
func (m metricSet) find(name string, labels ...string) *dto.Metric {
	m.t.Helper()
	f := m.families[name]
	if f == nil {
		m.t.Fatalf("no metric %s", name)
	}
next:
	for _, s := range f.Metric {
		have := map[string]string{}
		for _, l := range s.Label {
			have[l.GetName()] = l.GetValue()
		}
		for k := 0; k+1 < len(labels); k += 2 {
			if have[labels[k]] != labels[k+1] {
				continue next
			}
		}
		return s
	}
	m.t.Fatalf("no series %s%v", name, labels)
	return nil
}

// value is a counter's or a gauge's value.
func (m metricSet) value(name string, labels ...string) float64 {
	m.t.Helper()
	s := m.find(name, labels...)
	switch {
	case s.Counter != nil:
		return s.Counter.GetValue()
	case s.Gauge != nil:
		return s.Gauge.GetValue()
	}
	m.t.Fatalf("%s%v is neither a counter nor a gauge", name, labels)
	return 0
}

// TestMetrics: after purchases, a refused purchase, failed
// authentications and a fault rule, /metrics counts each where an
// operator looks for it.
func TestMetrics(t *testing.T) {
	s := newServer(t)
	tok := s.token(q.ProjectID)
	const bought = 3
	for n := range bought {
		if r := s.do("POST", purchasePath(q.ProjectID), purchaseBody(testEPS(n)), "X-Auth-Token", tok); r.status != http.StatusOK {
			t.Fatalf("purchase: %d %s", r.status, r.body)
		}
	}
	// The product rule refuses a second instance in an enterprise project.
	wantError(t, s.do("POST", purchasePath(q.ProjectID), purchaseBody(testEPS(0)), "X-Auth-Token", tok), 400, "DAYU.4402", "enterprise project")
	// Authentications that fail, each for its own reason.
	if r := s.do("GET", listPath(q.ProjectID), nil, "X-Auth-Token", "dayu1.forged.token"); r.status != http.StatusUnauthorized {
		t.Fatalf("a forged token: %d %s", r.status, r.body)
	}
	if r := s.do("GET", listPath(q.ProjectID), nil); r.status != http.StatusUnauthorized {
		t.Fatalf("no credentials: %d %s", r.status, r.body)
	}
	bad := passwordAuth(projectScope(q.ProjectID))
	bad["auth"].(map[string]any)["identity"].(map[string]any)["password"].(map[string]any)["user"].(map[string]any)["password"] = "wrong"
	if r := s.do("POST", "/v3/auth/tokens", bad); r.status != http.StatusUnauthorized {
		t.Fatalf("a wrong password: %d %s", r.status, r.body)
	}
	// Signatures: an access key nobody holds, and a header that does not
	// parse.
	for _, h := range []string{
		"SDK-HMAC-SHA256 Access=NOSUCHKEY, SignedHeaders=host;x-sdk-date, Signature=" + strings.Repeat("ab", 32),
		"SDK-HMAC-SHA256 nonsense",
	} {
		if r := s.do("GET", listPath(q.ProjectID), nil, "Authorization", h, "X-Sdk-Date", time.Now().UTC().Format("20060102T150405Z")); r.status != http.StatusUnauthorized {
			t.Fatalf("signature %q: %d %s", h, r.status, r.body)
		}
	}
	// A fault rule that fails the next list once.
	s.addFault(map[string]any{"operation": string(dayu.OpListDataArtsStudioInstances), "count": 1,
		"error": map[string]any{"status": 503, "error_code": "DLF.0001", "error_msg": "injected"}})
	if r, err := s.raw("GET", listPath(q.ProjectID), nil, "X-Auth-Token", tok); err != nil || r.status != 503 {
		t.Fatalf("list under the fault rule: %v %d %s", err, r.status, r.body)
	}
	s.list(tok, q.ProjectID, "")

	m := s.scrape()
	op := string(dayu.OpPayForDgcOneKey)
	if got := m.value("dayu_requests_total", "operation", op, "status", "200"); got != bought {
		t.Errorf("requests_total{%s,200} = %v, want %d", op, got, bought)
	}
	if got := m.value("dayu_requests_total", "operation", op, "status", "400"); got != 1 {
		t.Errorf("requests_total{%s,400} = %v, want 1", op, got)
	}
	if got := m.find("dayu_request_duration_seconds", "operation", op).Histogram.GetSampleCount(); got != bought+1 {
		t.Errorf("request_duration_seconds{%s} count = %d, want %d", op, got, bought+1)
	}
	list := string(dayu.OpListDataArtsStudioInstances)
	if got := m.value("dayu_requests_total", "operation", list, "status", "503"); got != 1 {
		t.Errorf("requests_total{%s,503} = %v, want 1 (the fault rule's)", list, got)
	}
	if got := m.value("dayu_fault_rules_fired_total", "operation", list); got != 1 {
		t.Errorf("fault_rules_fired_total{%s} = %v, want 1", list, got)
	}
	// Every call is journaled and counted once, under a name the fault
	// rules know.
	var calls float64
	for _, s := range m.families["dayu_requests_total"].Metric {
		calls += s.Counter.GetValue()
		for _, l := range s.Label {
			if l.GetName() == "operation" && !dayu.Operation(l.GetValue()).Known() {
				t.Errorf("operation label %q is no dayu.Operation", l.GetValue())
			}
		}
	}
	if got := m.value("dayu_journal_entries"); got != calls {
		t.Errorf("journal_entries = %v, want %v (every API call)", got, calls)
	}

	// Every purchase, refused or not, went through a group commit.
	batch := m.find("dayu_commit_batch_size").Histogram
	if batch.GetSampleSum() != bought+1 || batch.GetSampleCount() < 1 || batch.GetSampleCount() > bought+1 {
		t.Errorf("commit_batch_size: sum %v over %d commits, want %d purchases over 1-%d", batch.GetSampleSum(), batch.GetSampleCount(), bought+1, bought+1)
	}
	if got := m.find("dayu_commit_duration_seconds").Histogram.GetSampleCount(); got != batch.GetSampleCount() {
		t.Errorf("commit_duration_seconds count = %d, want %d (one per commit)", got, batch.GetSampleCount())
	}
	if got := m.value("dayu_commit_queue_length"); got != 0 {
		t.Errorf("commit_queue_length = %v with nothing in flight", got)
	}
	for class, want := range map[string]float64{"conflict": 1, "timeout": 0, "unavailable": 0, "internal": 0} {
		if got := m.value("dayu_store_errors_total", "class", class); got != want {
			t.Errorf("store_errors_total{%s} = %v, want %v", class, got, want)
		}
	}
	for _, c := range []struct {
		kind, reason string
		want         float64
	}{{"token", "invalid", 1}, {"token", "missing", 1}, {"password", "bad_credentials", 1}, {"signature", "unknown_key", 1}, {"signature", "malformed", 1},
		{"token", "expired", 0}, {"signature", "mismatch", 0}} {
		if got := m.value("dayu_auth_failures_total", "kind", c.kind, "reason", c.reason); got != c.want {
			t.Errorf("auth_failures_total{%s,%s} = %v, want %v", c.kind, c.reason, got, c.want)
		}
	}
	// The harness provisions at once: every instance is in effect.
	if got := m.value("dayu_instances", "status", "active"); got != bought {
		t.Errorf("instances{active} = %v, want %d", got, bought)
	}
	if got := m.value("dayu_orders", "status", "completed"); got != bought {
		t.Errorf("orders{completed} = %v, want %d", got, bought)
	}
	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes"} {
		m.find(name)
	}

	// A day later the token has expired.
	s.advance(25 * time.Hour)
	if r := s.do("GET", listPath(q.ProjectID), nil, "X-Auth-Token", tok); r.status != http.StatusUnauthorized {
		t.Fatalf("an expired token: %d %s", r.status, r.body)
	}
	if got := s.scrape().value("dayu_auth_failures_total", "kind", "token", "reason", "expired"); got != 1 {
		t.Errorf("auth_failures_total{token,expired} = %v, want 1", got)
	}
}

// TestMetricsCensus: the instances and orders by status agree with what
// the API answers as the clock moves through the lifecycle.
func TestMetricsCensus(t *testing.T) {
	s := newServer(t)
	s.setTimings("", dayu.Timings{Provisioning: time.Hour, Deletion: time.Hour, Grace: 10 * 24 * time.Hour, Retention: 20 * 24 * time.Hour})
	var orders []string
	for n, autoRenew := range []int{1, 0, 0, 0} {
		orders = append(orders, s.buy(testEPS(n), autoRenew)["order_id"].(string))
	}
	ended := s.buy(testEPS(9), 0)["resource_id"].(string)
	tok := s.token(q.ProjectID)
	if r := s.do("POST", "/v2/orders/subscriptions/resources/unsubscribe", map[string]any{"resource_ids": []string{ended}, "unsubscribe_type": 1}, "X-Auth-Token", tok); r.status != http.StatusOK {
		t.Fatalf("unsubscribe: %d %s", r.status, r.body)
	}
	domain := s.node.World().Project(q.ProjectID).Domain.ID
	for _, step := range []struct {
		name    string
		advance time.Duration
		want    map[string]float64 // statuses that must be there
	}{
		{"just bought", 0, map[string]float64{"pending": 4, "deleting": 1}},
		{"a month and a day later", 32 * 24 * time.Hour, map[string]float64{"active": 1, "grace": 3, "deleted": 1}},
		{"two weeks more", 14 * 24 * time.Hour, map[string]float64{"active": 1, "frozen": 3, "deleted": 1}},
	} {
		if step.advance > 0 {
			s.advance(step.advance)
		}
		m := s.scrape()
		// What the service derives, instance by instance.
		all, err := s.store.Resources(context.Background(), domain, dayu.ResourceFilter{})
		if err != nil {
			t.Fatal(err)
		}
		derived := map[dayu.InstanceStatus]float64{}
		for _, i := range all {
			derived[i.Status(s.node.Clock().Now())]++
		}
		for status, name := range map[dayu.InstanceStatus]string{dayu.InstancePending: "pending", dayu.InstanceActive: "active", dayu.InstanceDeleted: "deleted",
			dayu.InstanceFrozen: "frozen", dayu.InstanceGrace: "grace", dayu.InstanceDeleting: "deleting"} {
			got := m.value("dayu_instances", "status", name)
			if got != derived[status] {
				t.Errorf("%s: instances{%s} = %v, the instances' own status says %v", step.name, name, got, derived[status])
			}
			if want, ok := step.want[name]; ok && got != want {
				t.Errorf("%s: instances{%s} = %v, want %v", step.name, name, got, want)
			}
		}
		// The purchase orders as BSS answers them; the unsubscribe order
		// is counted too.
		byStatus := map[float64]float64{}
		for _, id := range orders {
			st, _ := s.orderStatus(id)
			byStatus[st]++
		}
		got := map[float64]float64{
			float64(dayu.OrderPendingPayment): m.value("dayu_orders", "status", "pending_payment"),
			float64(dayu.OrderProcessing):     m.value("dayu_orders", "status", "processing"),
			float64(dayu.OrderCompleted):      m.value("dayu_orders", "status", "completed"),
		}
		var total float64
		for st, n := range got {
			total += n
			if n < byStatus[st] {
				t.Errorf("%s: orders{status %v} = %v, but BSS answers %v purchase orders with it", step.name, st, n, byStatus[st])
			}
		}
		if total != float64(len(orders)+2) {
			t.Errorf("%s: %v orders counted, want %d (purchases and the unsubscription)", step.name, total, len(orders)+2)
		}
	}
}

// TestMetricsAccess: outside dev mode /metrics needs the admin token; in
// dev mode it is open; without an admin token it is not served at all;
// turned off, nothing is served.
func TestMetricsAccess(t *testing.T) {
	s := newServer(t)
	for _, h := range [][]string{nil, {"Authorization", "Bearer wrong"}, {"X-Auth-Token", s.token(q.ProjectID)}} {
		r, err := s.raw("GET", "/metrics", nil, h...)
		if err != nil {
			t.Fatal(err)
		}
		if r.status != http.StatusUnauthorized || bytes.Contains(r.body, []byte("dayu_requests_total")) {
			t.Errorf("GET /metrics with %q: %d %s, want 401 and no metrics", h, r.status, r.body)
		}
	}
	s.scrape()

	dev := newServer(t, devWorld)
	if r, err := dev.raw("GET", "/metrics", nil); err != nil || r.status != http.StatusOK {
		t.Errorf("dev mode GET /metrics without a token: %v %d", err, r.status)
	}
	for name, opt := range map[string]option{
		"no admin token": func(c *node.Config) { c.AdminToken = "" },
		"metrics off":    func(c *node.Config) { c.NoMetrics = true },
	} {
		s := newServer(t, opt)
		if r, err := s.raw("GET", "/metrics", nil, adminAuth...); err != nil || r.status != http.StatusNotFound {
			t.Errorf("%s: GET /metrics: %v %d, want 404", name, err, r.status)
		}
	}
}

// TestMetricsListener: node.Metrics serves the same metrics without
// authentication, for a listener of their own (--metrics-addr).
func TestMetricsListener(t *testing.T) {
	s := newServer(t)
	if r := s.do("POST", purchasePath(q.ProjectID), purchaseBody(testEPS(1)), "X-Auth-Token", s.token(q.ProjectID)); r.status != http.StatusOK {
		t.Fatalf("purchase: %d %s", r.status, r.body)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: s.node.Metrics()}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	resp, err := http.Get("http://" + ln.Addr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	body.ReadFrom(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("metrics listener: %d %s", resp.StatusCode, body.Bytes())
	}
	m := parseMetrics(t, body.Bytes())
	if got := m.value("dayu_requests_total", "operation", string(dayu.OpPayForDgcOneKey), "status", "200"); got != 1 {
		t.Errorf("requests_total{PayForDgcOneKey,200} on the metrics listener = %v, want 1", got)
	}
}
