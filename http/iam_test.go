package http_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestToken201(t *testing.T) {
	s := newServer(t)
	user := func(u map[string]any) map[string]any {
		return map[string]any{"identity": map[string]any{"methods": []string{"password"}, "password": map[string]any{"user": u}}}
	}
	withScope := func(a map[string]any, scope map[string]any) map[string]any {
		a["scope"] = scope
		return map[string]any{"auth": a}
	}
	byName := map[string]any{"name": q.UserName, "password": q.Password, "domain": map[string]any{"name": q.DomainName}}
	domainID := "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
	tests := []struct {
		name        string
		body        map[string]any
		wantProject string
	}{
		{"user by name, project by name", withScope(user(byName), map[string]any{"project": map[string]any{"name": q.ProjectName}}), q.ProjectID},
		{"user by name, project by id", withScope(user(byName), projectScope(q.ProjectID)), q.ProjectID},
		{"user by id", withScope(user(map[string]any{"id": "7a6b5c4d3e2f10a9b8c7d6e5f4a3b2c1", "password": q.Password}), projectScope(otherProject)), otherProject},
		{"domain by id", withScope(user(map[string]any{"name": q.UserName, "password": q.Password, "domain": map[string]any{"id": domainID}}), projectScope(q.ProjectID)), q.ProjectID},
		{"project by name and domain", withScope(user(byName), map[string]any{"project": map[string]any{"name": q.ProjectName, "domain": map[string]any{"name": q.DomainName}}}), q.ProjectID},
		{"domain scope", withScope(user(byName), map[string]any{"domain": map[string]any{"name": q.DomainName}}), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.do("POST", "/v3/auth/tokens?nocatalog=true", tt.body)
			if r.status != http.StatusCreated {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			tok := r.header.Get("X-Subject-Token")
			if tok == "" {
				t.Fatal("no X-Subject-Token")
			}
			body := r.json(t)["token"].(map[string]any)
			project, _ := body["project"].(map[string]any)
			if got, _ := project["id"].(string); got != tt.wantProject {
				t.Errorf("token.project.id = %q, want %q", got, tt.wantProject)
			}
			exp, err := time.Parse("2006-01-02T15:04:05.000000Z", body["expires_at"].(string))
			if err != nil {
				t.Fatalf("expires_at: %v", err)
			}
			if d := time.Until(exp); d < 23*time.Hour || d > 25*time.Hour {
				t.Errorf("token lives %s, want 24h", d)
			}
			if tt.wantProject != "" {
				if n := s.count(tok, tt.wantProject); n != 0 {
					t.Errorf("fresh project lists %d instances", n)
				}
			}
		})
	}
	t.Run("re-scope with the token method", func(t *testing.T) {
		first := s.token(q.ProjectID)
		r := s.do("POST", "/v3/auth/tokens", map[string]any{"auth": map[string]any{
			"identity": map[string]any{"methods": []string{"token"}, "token": map[string]any{"id": first}},
			"scope":    projectScope(otherProject)}})
		if r.status != http.StatusCreated {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
		if n := s.count(r.header.Get("X-Subject-Token"), otherProject); n != 0 {
			t.Errorf("count = %d", n)
		}
	})
	t.Run("catalog points back at the server", func(t *testing.T) {
		r := s.do("POST", "/v3/auth/tokens", passwordAuth(projectScope(q.ProjectID)))
		if !strings.Contains(string(r.body), s.URL) {
			t.Errorf("catalog does not name %s: %s", s.URL, r.body)
		}
	})
}

func TestToken400And401(t *testing.T) {
	s := newServer(t)
	bad := func(mut func(u map[string]any)) map[string]any {
		b := passwordAuth(projectScope(q.ProjectID))
		mut(b["auth"].(map[string]any)["identity"].(map[string]any)["password"].(map[string]any)["user"].(map[string]any))
		return b
	}
	tests := []struct {
		name   string
		body   any
		status int
	}{
		{"wrong password", bad(func(u map[string]any) { u["password"] = "nope" }), http.StatusUnauthorized},
		{"unknown user", bad(func(u map[string]any) { u["name"] = "nobody" }), http.StatusUnauthorized},
		{"unknown domain", bad(func(u map[string]any) { u["domain"] = map[string]any{"name": "nowhere"} }), http.StatusUnauthorized},
		{"project of nobody", passwordAuth(projectScope("ffffffffffffffffffffffffffffffff")), http.StatusUnauthorized},
		{"bad token method", map[string]any{"auth": map[string]any{"identity": map[string]any{"methods": []string{"token"}, "token": map[string]any{"id": "x"}}}}, http.StatusUnauthorized},
		{"unknown method", map[string]any{"auth": map[string]any{"identity": map[string]any{"methods": []string{"totp"}}}}, http.StatusBadRequest},
		{"not JSON", "{", http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.do("POST", "/v3/auth/tokens", tt.body)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			e, _ := r.json(t)["error"].(map[string]any)
			if e["code"] != float64(tt.status) || e["message"] == "" {
				t.Errorf("want a Keystone error body, got %s", r.body)
			}
			if r.header.Get("X-Subject-Token") != "" {
				t.Error("a refused request got a token")
			}
		})
	}
}

func TestIAMAndBSSStartupCalls(t *testing.T) {
	s := newServer(t)
	tok := s.token(q.ProjectID)
	r := s.do("GET", "/v3/projects?name="+q.ProjectName, nil, "X-Auth-Token", tok)
	if r.status != http.StatusOK {
		t.Fatalf("projects: %d %s", r.status, r.body)
	}
	ps := r.json(t)["projects"].([]any)
	if len(ps) != 1 || ps[0].(map[string]any)["id"] != q.ProjectID {
		t.Errorf("projects?name=%s = %s", q.ProjectName, r.body)
	}
	r = s.do("GET", "/v3/auth/domains", nil, "X-Auth-Token", tok)
	if ds := r.json(t)["domains"].([]any); r.status != http.StatusOK || len(ds) != 1 || ds[0].(map[string]any)["name"] != q.DomainName {
		t.Errorf("domains: %d %s", r.status, r.body)
	}
	r = s.do("GET", "/v2/products/service-types?limit=1", nil, "X-Auth-Token", tok)
	if r.status != http.StatusOK || len(r.json(t)["service_types"].([]any)) == 0 {
		t.Errorf("service-types: %d %s", r.status, r.body)
	}
	if r := s.do("GET", "/v3/projects", nil); r.status != http.StatusUnauthorized {
		t.Errorf("projects without a token: %d", r.status)
	}
}

func TestOperations(t *testing.T) {
	s := newServer(t, devWorld)
	for _, path := range []string{"/healthz", "/readyz", "/openapi.yaml"} {
		if r := s.do("GET", path, nil); r.status != http.StatusOK {
			t.Errorf("%s: %d %s", path, r.status, r.body)
		}
	}
	r := s.do("GET", "/_dayu/quickstart", nil)
	got := r.json(t)
	for _, k := range []string{"domain_name", "user_name", "password", "access_key", "secret_key", "project_id", "project_name",
		"region_id", "availability_zone", "vpc_id", "net_id", "security_group_id", "eps_id", "resource_spec_code"} {
		if v, _ := got[k].(string); v == "" {
			t.Errorf("quickstart %s is missing", k)
		}
	}
	// The quickstart is enough to buy by copy and paste.
	tok := s.token(got["project_id"].(string))
	b := map[string]any{"period_type": 2, "period_num": 1, "is_auto_renew": 0, "instance_name": "from-quickstart"}
	for _, k := range []string{"region_id", "availability_zone", "vpc_id", "net_id", "security_group_id", "eps_id", "resource_spec_code"} {
		b[k] = got[k]
	}
	if r := s.do("POST", purchasePath(got["project_id"].(string)), b, "X-Auth-Token", tok); r.status != http.StatusOK {
		t.Errorf("purchase from the quickstart: %d %s", r.status, r.body)
	}
	s.store.Close()
	if r := s.do("GET", "/readyz", nil); r.status != http.StatusServiceUnavailable {
		t.Errorf("readyz on a closed store: %d, want 503", r.status)
	}
}
