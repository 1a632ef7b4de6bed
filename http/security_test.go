package http_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/internal/apitest"
	"github.com/dayu-emu/dayu/node"
)

// tokenExpiry issues a token with body and returns it and its expires_at.
func (s *server) tokenExpiry(body any) (string, string) {
	s.t.Helper()
	r := s.do("POST", "/v3/auth/tokens?nocatalog=true", body)
	if r.status != http.StatusCreated {
		s.t.Fatalf("token: %d %s", r.status, r.body)
	}
	return r.header.Get("X-Subject-Token"), r.json(s.t)["token"].(map[string]any)["expires_at"].(string)
}

func rescope(token, project string) map[string]any {
	return map[string]any{"auth": map[string]any{
		"identity": map[string]any{"methods": []string{"token"}, "token": map[string]any{"id": token}},
		"scope":    projectScope(project)}}
}

// TestRescopeKeepsExpiry: a token got from another token expires when the
// first one does (as Keystone's), however often it is re-scoped.
func TestRescopeKeepsExpiry(t *testing.T) {
	s := newServer(t)
	first, expires := s.tokenExpiry(passwordAuth(projectScope(q.ProjectID)))
	s.clock.Advance(time.Hour)
	second, got := s.tokenExpiry(rescope(first, otherProject))
	if got != expires {
		t.Errorf("re-scoped an hour later: expires_at %s, want the first token's %s", got, expires)
	}
	s.clock.Advance(time.Hour)
	third, got := s.tokenExpiry(rescope(second, q.ProjectID))
	if got != expires {
		t.Errorf("re-scoped twice: expires_at %s, want the first token's %s", got, expires)
	}
	s.clock.Advance(22*time.Hour + time.Second)
	for name, tok := range map[string]string{"first": first, "re-scoped": second, "re-scoped twice": third} {
		r := s.do("GET", listPath(q.ProjectID), nil, "X-Auth-Token", tok)
		if name == "re-scoped" {
			r = s.do("GET", listPath(otherProject), nil, "X-Auth-Token", tok)
		}
		wantError(t, r, http.StatusUnauthorized, "APIGW.0307", "expired")
	}
	r := s.do("POST", "/v3/auth/tokens", rescope(third, q.ProjectID))
	if r.status != http.StatusUnauthorized {
		t.Errorf("re-scoping an expired token: %d %s", r.status, r.body)
	}
}

// clockOffset is the dev clock's offset_seconds from the admin API.
func (s *server) clockOffset() float64 {
	s.t.Helper()
	r := s.do("GET", "/_dayu/clock", nil, "Authorization", "Bearer "+adminToken)
	if r.status != http.StatusOK {
		s.t.Fatalf("clock: %d %s", r.status, r.body)
	}
	return r.json(s.t)["offset_seconds"].(float64)
}

// TestAdminDurationsBounded: a clock move or a timing that is not
// representable, or beyond the documented maximum, is a 400 naming the
// field and changes nothing; the clock never goes back, stored or not.
func TestAdminDurationsBounded(t *testing.T) {
	dir := newLocation(t)
	s := startServer(t, dir, &dayu.OffsetClock{})
	admin := []string{"Authorization", "Bearer " + adminToken}
	for _, body := range []string{`{"advance_seconds": 1e10}`, `{"advance_seconds": 9e9}`, `{"advance_seconds": 1e400}`,
		`{"advance_seconds": -1}`, `{"advance_seconds": 0}`, `{"advance_seconds": 1e-9}`, `{"advance_seconds": "60"}`, `{}`} {
		r := s.do("POST", "/_dayu/clock", body, admin...)
		wantError(t, r, http.StatusBadRequest, "DAYU.4402", "advance_seconds")
	}
	if got := s.clockOffset(); got != 0 {
		t.Fatalf("after refused moves the clock is %v s ahead, want 0", got)
	}
	// 95 years, then 10 more would be beyond the 100 years the clock may be ahead.
	const step = 2995920000.125
	if r := s.do("POST", "/_dayu/clock", map[string]any{"advance_seconds": step}, admin...); r.status != http.StatusOK {
		t.Fatalf("advance 95 years: %d %s", r.status, r.body)
	}
	r := s.do("POST", "/_dayu/clock", map[string]any{"advance_seconds": 10 * 365 * 86400}, admin...)
	wantError(t, r, http.StatusBadRequest, "DAYU.4402", "advance_seconds")
	if got := s.clockOffset(); got != step {
		t.Errorf("clock %v s ahead, want %v", got, step)
	}
	// A restart keeps the clock exactly where it was set.
	s.stop()
	store, err := openStore(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	clock, err := dayu.LoadOffsetClock(context.Background(), store)
	store.Close()
	if err != nil {
		t.Fatal(err)
	}
	if want := 2995920000*time.Second + 125*time.Millisecond; clock.Offset() != want {
		t.Errorf("after a restart the clock is %s ahead, want %s", clock.Offset(), want)
	}
	s = startServer(t, dir, clock)
	if got := s.clockOffset(); got != step {
		t.Errorf("after a restart the admin API says %v s ahead, want %v", got, step)
	}

	for _, body := range []string{`{"grace_seconds": 9e9}`, `{"retention_seconds": 1e400}`, `{"provisioning_seconds": 315360001}`,
		`{"deletion_seconds": -0.5}`, `{"grace_seconds": 1e19}`} {
		r := s.do("PUT", "/_dayu/timings", body, admin...)
		wantError(t, r, http.StatusBadRequest, "DAYU.4402", strings.Split(body, `"`)[1])
	}
	// The longest timings allowed keep the one-instance rule.
	const tenYears = 315360000
	s.setTimings("", dayu.Timings{Grace: tenYears * time.Second, Retention: tenYears * time.Second})
	tok := s.token(q.ProjectID)
	if r := s.do("POST", purchasePath(q.ProjectID), purchaseBody(testEPS(1)), "X-Auth-Token", tok); r.status != http.StatusOK {
		t.Fatalf("purchase: %d %s", r.status, r.body)
	}
	r = s.do("POST", purchasePath(q.ProjectID), purchaseBody(testEPS(1)), "X-Auth-Token", tok)
	wantError(t, r, http.StatusBadRequest, "DAYU.4402", "eps_id")
	if n := s.count(tok, q.ProjectID); n != 1 {
		t.Errorf("the list has %d instances, want 1", n)
	}
}

// TestTextIsUnicode: a NUL or text that is not UTF-8 anywhere in a request
// (the path, the query, the body, as raw bytes or as JSON escapes) is a 400
// in the service's format, on every store, and nothing is stored.
func TestTextIsUnicode(t *testing.T) {
	s := newServer(t)
	tok := s.token(q.ProjectID)
	body := func(name string) []byte {
		return []byte(`{"region_id":"` + q.RegionID + `","availability_zone":"` + q.AvailabilityZone + `","vpc_id":"` + q.VpcID +
			`","net_id":"` + q.NetID + `","security_group_id":"` + q.SecurityGroupID + `","instance_name":"` + name +
			`","eps_id":"` + testEPS(90) + `","period_type":2,"period_num":1,"is_auto_renew":0,"resource_spec_code":"` + q.ResourceSpecCode + `"}`)
	}
	for _, tt := range []struct {
		name, method, path string
		body               []byte
		code, field        string
	}{
		{"NUL in an order id", "GET", "/v2/orders/customer-orders/details/CS%00X", nil, "CBC.0100", "path"},
		{"not UTF-8 in an order id", "GET", "/v2/orders/customer-orders/details/CS%FFX", nil, "CBC.0100", "path"},
		{"NUL in a project id", "GET", "/v1/" + q.ProjectID + "%00/instances", nil, "DAYU.4402", "path"},
		{"NUL in a query value", "GET", listPath(q.ProjectID) + "?offset=0&marker=%00", nil, "DAYU.4402", "marker"},
		{"not UTF-8 in a query value", "GET", "/v2/orders/customer-orders/details/CS1?limit=%C3%28", nil, "CBC.0100", "limit"},
		{"NUL escaped in a body", "POST", purchasePath(q.ProjectID), body(`a\u0000b`), "DAYU.4402", "body"},
		{"NUL escaped after an escaped backslash", "POST", purchasePath(q.ProjectID), body(`a\\\u0000b`), "DAYU.4402", "body"},
		{"NUL raw in a body", "POST", purchasePath(q.ProjectID), body("a\x00b"), "DAYU.4402", "body"},
		{"not UTF-8 in a body", "POST", purchasePath(q.ProjectID), body("a\xffb"), "DAYU.4402", "body"},
		{"a lone surrogate", "POST", purchasePath(q.ProjectID), body(`a\ud800b`), "DAYU.4402", "body"},
		{"a lone low surrogate", "POST", purchasePath(q.ProjectID), body(`a\uDC00b`), "DAYU.4402", "body"},
		{"a surrogate pair out of order", "POST", purchasePath(q.ProjectID), body(`\ude00\ud83d`), "DAYU.4402", "body"},
		{"NUL in a BSS body", "POST", unsubscribePath, []byte(`{"resource_ids":["\u0000"],"unsubscribe_type":1}`), "CBC.0100", "body"},
		{"NUL in a resource query", "POST", queryPath, []byte(`{"order_id":"CS\u0000"}`), "CBC.0100", "body"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var b any
			if tt.body != nil {
				b = tt.body
			}
			wantError(t, s.do(tt.method, tt.path, b, "X-Auth-Token", tok), http.StatusBadRequest, tt.code, tt.field)
		})
	}
	t.Run("IAM", func(t *testing.T) {
		for _, r := range []response{
			s.do("GET", "/v3/projects?name=cn%00", nil, "X-Auth-Token", tok),
			s.do("POST", "/v3/auth/tokens", `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"dev\u0000","password":"x","domain":{"name":"dayu-dev"}}}}}}`),
		} {
			if e, _ := r.json(t)["error"].(map[string]any); r.status != http.StatusBadRequest || e["code"] != 400.0 {
				t.Errorf("%d %s, want a Keystone 400", r.status, r.body)
			}
		}
	})
	if n := s.count(tok, q.ProjectID); n != 0 {
		t.Errorf("the refused purchases stored %d instances", n)
	}
	// What only looks like them is text: an escaped backslash before
	// u0000, a surrogate pair, characters beyond ASCII.
	for n, name := range []string{`a\\u0000b`, `\ud83d\ude00`, "数据治理"} {
		b := body(name)
		b = []byte(strings.Replace(string(b), testEPS(90), testEPS(91+n), 1))
		if r := s.do("POST", purchasePath(q.ProjectID), b, "X-Auth-Token", tok); r.status != http.StatusOK {
			t.Errorf("instance_name %s: %d %s", name, r.status, r.body)
		}
	}
	names := map[string]bool{}
	for _, it := range s.list(tok, q.ProjectID, "")["commodity_orders"].([]any) {
		names[it.(map[string]any)["resource_name"].(string)] = true
	}
	for _, want := range []string{`a\u0000b`, "😀", "数据治理"} {
		if !names[want] {
			t.Errorf("no instance named %q in %v", want, names)
		}
	}
}

// wantThrottled checks a Keystone 429 with Retry-After.
func wantThrottled(t *testing.T, r response) {
	t.Helper()
	e, _ := r.json(t)["error"].(map[string]any)
	if r.status != http.StatusTooManyRequests || e["code"] != 429.0 || r.header.Get("Retry-After") == "" {
		t.Errorf("%d %s (Retry-After %q), want a Keystone 429 with Retry-After", r.status, r.body, r.header.Get("Retry-After"))
	}
}

// logins sends n password logins at once, made by body(k), and counts
// their statuses; it checks /healthz while they run, and each 429 answer.
// took is how long they all took: no more tokens came back meanwhile than
// that much time gives.
func (s *server) logins(n int, body func(k int) any) (count map[int]int, took time.Duration) {
	s.t.Helper()
	start := time.Now()
	answers := make([]response, n)
	var wg sync.WaitGroup
	for k := range n {
		wg.Go(func() {
			req, err := apitest.NewRequest("POST", s.URL+"/v3/auth/tokens", body(k))
			if err != nil {
				s.t.Error(err)
				return
			}
			answers[k] = s.send(req)
		})
	}
	if r := s.do("GET", "/healthz", nil); r.status != http.StatusOK {
		s.t.Errorf("/healthz during the logins: %d", r.status)
	}
	wg.Wait()
	took = time.Since(start)
	count = map[int]int{}
	for _, r := range answers {
		count[r.status]++
		if r.status == http.StatusTooManyRequests {
			wantThrottled(s.t, r)
		}
	}
	return count, took
}

// checkedLogins checks that of the logins counted, burst and what rate
// gave back over took were checked (401), and the rest refused (429).
func checkedLogins(t *testing.T, count map[int]int, total, burst int, rate float64, took time.Duration) {
	t.Helper()
	most := burst + int(math.Ceil(rate*took.Seconds()))
	if n := count[http.StatusUnauthorized]; n < burst || n > most || n+count[http.StatusTooManyRequests] != total {
		t.Errorf("%d wrong logins at once over %s: %v; want %d to %d checked (401), the rest 429", total, took, count, burst, most)
	}
}

// loginBody is a password login for user in the dev domain.
func loginBody(user, password string) map[string]any {
	return map[string]any{"auth": map[string]any{"identity": map[string]any{"methods": []string{"password"},
		"password": map[string]any{"user": map[string]any{"name": user, "password": password, "domain": map[string]any{"name": q.DomainName}}}}}}
}

// TestFailedLoginsLimited: wrong passwords cost a user, or a client
// address, a small burst and then a few a second, however many are sent at
// once: the rest are a 429 in Keystone's format before any password is
// checked. Right passwords cost nothing.
func TestFailedLoginsLimited(t *testing.T) {
	t.Run("per user", func(t *testing.T) {
		s := newServer(t)
		for range 8 {
			s.token(q.ProjectID) // right passwords are never limited
		}
		got, took := s.logins(12, func(int) any { return loginBody(q.UserName, "wrong") })
		checkedLogins(t, got, 12, 5, 1, took)
		if r := s.do("POST", "/v3/auth/tokens", loginBody("someone-else", "wrong")); r.status != http.StatusUnauthorized {
			t.Errorf("another user from the same address: %d %s, want 401", r.status, r.body)
		}
		time.Sleep(1100 * time.Millisecond) // a token back
		for n := range 6 {
			if r := s.do("POST", "/v3/auth/tokens", loginBody(q.UserName, q.Password)); r.status != http.StatusCreated {
				t.Fatalf("right password %d, a second later: %d %s", n, r.status, r.body)
			}
		}
	})
	t.Run("per client address", func(t *testing.T) {
		s := newServer(t)
		got, took := s.logins(48, func(k int) any { return loginBody(fmt.Sprintf("nobody-%d", k), "wrong") })
		checkedLogins(t, got, 48, 10, 2, took)
	})
}

// TestAnswersAreJSON: a path the mux would clean up (dot segments, doubled
// slashes) names no API and is a JSON 404 in the gateway's format, not a
// redirect; a declared body over the limit is a 413 at once, without
// waiting for the body.
func TestAnswersAreJSON(t *testing.T) {
	s := newServer(t)
	tok := s.token(q.ProjectID)
	noRedirect := &http.Client{Transport: s.client.Transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	t.Run("unclean paths", func(t *testing.T) {
		for _, c := range []struct{ method, path string }{
			{"GET", "/v1/../v1/" + q.ProjectID + "/instances"},
			{"GET", "/v1/" + q.ProjectID + "/./instances"},
			{"GET", "/v1/" + q.ProjectID + "//instances"},
			{"GET", "//healthz"},
			{"GET", "/healthz/."},
			{"POST", "/v1/" + q.ProjectID + "/instances/x/../onekey-purchase"},
			{"GET", "/v2/orders/customer-orders/details/../details/CS1"},
		} {
			req, err := apitest.NewRequest(c.method, s.URL+c.path, nil, "X-Auth-Token", tok)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := noRedirect.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			t.Logf("%s %s", c.method, c.path)
			wantError(t, response{status: resp.StatusCode, header: resp.Header, body: b}, http.StatusNotFound, "APIGW.0101", "No API")
		}
	})

	t.Run("declared body too large", func(t *testing.T) {
		for _, c := range []struct{ path, code string }{
			{purchasePath(q.ProjectID), "APIGW.0201"},
			{"/v3/auth/tokens", ""}, // Keystone's format
		} {
			conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			// The headers and the start of a body of 2 MB that never comes.
			fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: dayu\r\nContent-Type: application/json\r\nX-Auth-Token: %s\r\nContent-Length: %d\r\n\r\n{", c.path, tok, 2<<20)
			_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				conn.Close()
				t.Fatalf("POST %s with a declared 2 MB body: %v", c.path, err)
			}
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
			conn.Close()
			if c.code != "" {
				wantError(t, response{status: resp.StatusCode, header: resp.Header, body: b}, http.StatusRequestEntityTooLarge, c.code, "larger")
				continue
			}
			if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), `"code":413`) {
				t.Errorf("POST %s with a declared 2 MB body: %d %s, want a Keystone 413", c.path, resp.StatusCode, b)
			}
		}
	})
	if n := s.count(tok, q.ProjectID); n != 0 {
		t.Errorf("the list has %d instances", n)
	}
}

// TestCatalogURLIsConfigured: the token catalog lists the server's
// configured URL whatever Host the request names, so a request cannot make
// a token send its bearer's next calls elsewhere.
func TestCatalogURLIsConfigured(t *testing.T) {
	const public = "https://dayu.example.com:8443/prefix"
	s := newServer(t, func(c *node.Config) { c.PublicURL = public })
	for _, host := range []string{"evil.example.com", "127.0.0.1:1", ""} {
		req, err := apitest.NewRequest("POST", s.URL+"/v3/auth/tokens", passwordAuth(projectScope(q.ProjectID)))
		if err != nil {
			t.Fatal(err)
		}
		if host != "" {
			req.Host = host
		}
		r := s.send(req)
		if r.status != http.StatusCreated {
			t.Fatalf("token with Host %q: %d %s", host, r.status, r.body)
		}
		catalog := r.json(t)["token"].(map[string]any)["catalog"].([]any)
		if len(catalog) == 0 {
			t.Fatalf("Host %q: an empty catalog", host)
		}
		for _, e := range catalog {
			for _, ep := range e.(map[string]any)["endpoints"].([]any) {
				if url := ep.(map[string]any)["url"]; url != public {
					t.Errorf("Host %q: catalog endpoint %v, want %s", host, url, public)
				}
			}
		}
	}
}
