package http_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dayu-emu/dayu"
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
