package http_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/node"
)

// twoDomainWorld is the dev world (with a few more enterprise projects)
// and a second domain, "other", whose user and project mirror the dev ones.
func twoDomainWorld(t *testing.T) option {
	t.Helper()
	dev, err := dayu.DevWorld()
	if err != nil {
		t.Fatal(err)
	}
	d := dev.Domains[0]
	d.ID, d.Name = "0ther0domain0000000000000000000a", "other"
	d.Users[0].ID, d.Users[0].PasswordHash, d.Users[0].Password = "0ther0user00000000000000000000001", "", q.Password
	d.Users[0].AccessKeys = nil
	d.Projects = d.Projects[:1]
	d.Projects[0].ID = "0ther0project0000000000000000001"
	base, err := dayu.DevWorld()
	if err != nil {
		t.Fatal(err)
	}
	base.Domains = append(base.Domains, d)
	for n := range 5 {
		base.Domains[0].EnterpriseProjects = append(base.Domains[0].EnterpriseProjects, dayu.EnterpriseProject{ID: testEPS(n), Name: testEPS(n)})
	}
	file := worldFile(t, base)
	return func(c *node.Config) { c.World = file }
}

// TestTestClocks: two domains on one server move through time on their
// own clocks; a frozen clock stands still until advanced; tokens expire by
// their domain's clock.
func TestTestClocks(t *testing.T) {
	s := newServer(t, twoDomainWorld(t))
	const other, otherProject = "0ther0domain0000000000000000000a", "0ther0project0000000000000000001"
	devTok := s.token(q.ProjectID)
	otherTok := s.tokenOf("other", otherProject)
	devID := s.buy(testEPS(1), 0)["resource_id"].(string)
	r := s.do("POST", purchasePath(otherProject), purchaseBody(q.EpsID), "X-Auth-Token", otherTok)
	if r.status != http.StatusOK {
		t.Fatalf("purchase in the other domain: %d %s", r.status, r.body)
	}
	otherID := r.json(t)["resource_id"].(string)

	frozen := s.do("PUT", "/_dayu/clocks/"+q.DomainName, map[string]any{"frozen": true}, adminAuth...)
	if frozen.status != http.StatusOK || frozen.json(t)["frozen"] != true {
		t.Fatalf("freeze the dev domain's clock: %d %s", frozen.status, frozen.body)
	}
	first := s.itemIn(devTok, q.ProjectID, devID)
	time.Sleep(20 * time.Millisecond)
	if again := s.itemIn(devTok, q.ProjectID, devID); again["expire_days"] != first["expire_days"] || again["status"] != 2.0 {
		t.Errorf("a frozen domain's instance changed: %v then %v", first, again)
	}
	// A month and a day on the dev domain's clock: its instance (not
	// auto-renewed) is in grace; the other domain's is untouched.
	adv := s.do("POST", "/_dayu/clocks/"+q.DomainName+"/advance", map[string]any{"advance_seconds": (32 * 24 * time.Hour).Seconds()}, adminAuth...)
	if adv.status != http.StatusOK {
		t.Fatalf("advance: %d %s", adv.status, adv.body)
	}
	if r := s.do("GET", listPath(q.ProjectID), nil, "X-Auth-Token", devTok); r.status != http.StatusUnauthorized {
		t.Errorf("a dev token after its domain's clock moved 32 days: %d, want 401 (expired)", r.status)
	}
	devTok = s.token(q.ProjectID)
	if st := s.itemIn(devTok, q.ProjectID, devID)["status"]; st != 5.0 {
		t.Errorf("the dev instance 32 days on: status %v, want 5 (grace)", st)
	}
	if st := s.itemIn(otherTok, otherProject, otherID)["status"]; st != 2.0 {
		t.Errorf("the other domain's instance: status %v, want 2: its clock did not move", st)
	}
	list := s.do("GET", "/_dayu/clocks", nil, adminAuth...).json(t)["clocks"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["domain_id"] != "9f8e7d6c5b4a39281706f5e4d3c2b1a0" {
		t.Errorf("clocks: %v", list)
	}
	if r := s.do("GET", "/_dayu/clocks/"+other, nil, adminAuth...); r.status != http.StatusNotFound {
		t.Errorf("the other domain's clock: %d, want 404 (it has none)", r.status)
	}
	wantError(t, s.do("POST", "/_dayu/clocks/"+q.DomainName+"/advance", map[string]any{"advance_seconds": -1}, adminAuth...), http.StatusBadRequest, "DAYU.4402", "advance_seconds")
	wantError(t, s.do("PUT", "/_dayu/clocks/nobody", map[string]any{"frozen": true}, adminAuth...), http.StatusNotFound, "DAYU.4404", "nobody")
}

// tokenOf is a token of the user "dev" of the named domain for a project.
func (s *server) tokenOf(domain, project string) string {
	s.t.Helper()
	body := passwordAuth(projectScope(project))
	body["auth"].(map[string]any)["identity"].(map[string]any)["password"].(map[string]any)["user"].(map[string]any)["domain"] = map[string]any{"name": domain}
	r := s.do("POST", "/v3/auth/tokens", body)
	if r.status != http.StatusCreated {
		s.t.Fatalf("token of %s: %d %s", domain, r.status, r.body)
	}
	return r.header.Get("X-Subject-Token")
}

// itemIn is the instance's item in a project's list, failing the test if it is not listed.
func (s *server) itemIn(token, project, id string) map[string]any {
	s.t.Helper()
	for _, it := range s.list(token, project, "?limit=100")["commodity_orders"].([]any) {
		if m := it.(map[string]any); m["resource_id"] == id {
			return m
		}
	}
	s.t.Fatalf("%s is not listed in %s", id, project)
	return nil
}
