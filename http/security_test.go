package http_test

import (
	"net/http"
	"testing"
	"time"
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
