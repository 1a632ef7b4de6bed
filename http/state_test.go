package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/internal/pgtest"
	"github.com/dayu-emu/dayu/node"
	"github.com/dayu-emu/dayu/postgres"
)

// exportState answers GET /_dayu/state.
func (s *server) exportState() []byte {
	s.t.Helper()
	r := s.do("GET", "/_dayu/state", nil, adminAuth...)
	if r.status != http.StatusOK {
		s.t.Fatalf("export: %d %s", r.status, r.body)
	}
	return r.body
}

// onFreshPostgres puts the node on a fresh PostgreSQL database, whatever
// store the suite runs on (skipped without one).
func onFreshPostgres(t *testing.T) option {
	url := pgtest.NewDatabase(t)
	return func(c *node.Config) {
		c.Store.Close()
		pg, err := postgres.Open(context.Background(), url, postgres.DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		c.Store = pg
	}
}

// answers are what a client sees of the dev project: the list, BSS's
// resources and orders, each order's details, the instances' workspaces.
func (s *server) answers(ids, orderIDs []string) map[string]string {
	s.t.Helper()
	out := map[string]string{
		"list":      string(s.call(http.StatusOK, "GET", listPath(q.ProjectID)+"?limit=100", nil).body),
		"resources": string(s.call(http.StatusOK, "POST", "/v2/orders/suscriptions/resources/query", map[string]any{"limit": 100}).body),
		"orders":    string(s.call(http.StatusOK, "GET", "/v2/orders/customer-orders?limit=100", nil).body),
	}
	for _, id := range orderIDs {
		out["order "+id] = string(s.call(http.StatusOK, "GET", "/v2/orders/customer-orders/details/"+id, nil).body)
	}
	for _, id := range ids {
		out["workspaces "+id] = string(s.call(http.StatusOK, "GET", "/v1/"+q.ProjectID+"/workspaces/"+id, nil).body)
	}
	return out
}

// TestStateMovesAcrossStores buys, renews, moves and adds a workspace on
// one store, exports its state and imports it into a fresh PostgreSQL
// database: every answer is the same there, and the moved state goes on
// living (the enterprise project rule holds, a new purchase works).
func TestStateMovesAcrossStores(t *testing.T) {
	pg := onFreshPostgres(t)
	a := newServer(t)
	a.advance(time.Hour)
	first, firstOrder := a.purchase(testEPS(1), 1)
	second, secondOrder := a.purchase(testEPS(2), 0)
	renewal := a.call(http.StatusOK, "POST", renewPath, map[string]any{"resource_ids": []string{second}, "period_type": 2, "period_num": 2, "is_auto_pay": 1}).json(t)
	a.call(http.StatusNoContent, "POST", "/v1.0/enterprise-projects/"+testEPS(3)+"/resources-migrate",
		map[string]any{"resource_type": "dayu-instance", "resource_id": first, "project_id": q.ProjectID})
	a.call(http.StatusOK, "POST", "/v1/"+q.ProjectID+"/workspaces/"+second, map[string]any{"name": "analytics", "description": "moved along", "eps_id": testEPS(2)})
	a.addFault(map[string]any{"operation": "PayForDgcOneKey", "project_id": otherProject, "count": 3, "latency_ms": 5})
	a.setTimings(q.ProjectID, dayu.Timings{Grace: 24 * time.Hour})
	orderIDs := []string{firstOrder, secondOrder}
	for _, id := range renewal["order_ids"].([]any) {
		orderIDs = append(orderIDs, id.(string))
	}
	doc := a.exportState()
	want := a.answers([]string{first, second}, orderIDs)

	b := startServer(t, newLocation(t), &dayu.OffsetClock{}, pg)
	r := b.do("PUT", "/_dayu/state", doc, adminAuth...)
	if r.status != http.StatusOK {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	got := b.answers([]string{first, second}, orderIDs)
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s differs after the move:\n sqlite: %s\n postgres: %s", k, w, got[k])
		}
	}
	var exported, again map[string]any
	if err := json.Unmarshal(doc, &exported); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b.exportState(), &again); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"orders", "instances", "workspaces", "fault_rules", "timings", "clock_offset_seconds"} {
		if w, g := mustJSON(t, exported[k]), mustJSON(t, again[k]); !bytes.Equal(w, g) {
			t.Errorf("%s exported again differs:\n %s\n %s", k, w, g)
		}
	}
	if faults := b.do("GET", "/_dayu/faults", nil, adminAuth...).json(t)["rules"].([]any); len(faults) != 1 {
		t.Errorf("fault rules after the import: %v", faults)
	}
	wantError(t, b.gsdk("POST", purchasePath(q.ProjectID), purchaseBody(testEPS(3))), http.StatusBadRequest, "DAYU.4402", "only one instance per enterprise project")
	b.purchase(testEPS(1), 0) // freed by the move
}

// TestStateImportRefusesBadDocuments: the document carries no secret; each
// broken document is a 400 naming what is wrong, and the state stays as it
// was.
func TestStateImportRefusesBadDocuments(t *testing.T) {
	s := newServer(t)
	s.purchase(testEPS(1), 0)
	s.purchase(testEPS(2), 0)
	before := s.exportState()
	for _, secret := range []string{q.SecretKey, q.Password, "$2a$", "password_hash"} {
		if bytes.Contains(before, []byte(secret)) {
			t.Errorf("the state document holds a secret (%q)", secret)
		}
	}
	edit := func(change func(d map[string]any)) map[string]any {
		var d map[string]any
		if err := json.Unmarshal(before, &d); err != nil {
			t.Fatal(err)
		}
		change(d)
		return d
	}
	instance := func(d map[string]any, n int) map[string]any { return d["instances"].([]any)[n].(map[string]any) }
	for _, c := range []struct {
		name   string
		doc    any
		reason string
	}{
		{"unknown version", edit(func(d map[string]any) { d["format_version"] = 2 }), "format_version: must be 1"},
		{"unknown field", edit(func(d map[string]any) { d["extra"] = true }), `unknown field "extra"`},
		{"malformed", `{"format_version": 1,`, "line 1, column 21"},
		{"dangling order", edit(func(d map[string]any) { instance(d, 0)["order_id"] = "CS-missing" }), `instances[0].order_id: order "CS-missing" is not in the document`},
		{"missing parent", edit(func(d map[string]any) { instance(d, 1)["parent_id"] = "no-such-instance" }), `instances[1].parent_id: "no-such-instance"`},
		{"one enterprise project twice", edit(func(d map[string]any) { instance(d, 1)["eps_id"] = testEPS(1) }), "only one instance per enterprise project"},
		{"another world", edit(func(d map[string]any) {
			d["world"].(map[string]any)["regions"] = []any{map[string]any{"id": "xx-1", "zones": []string{"xx-1a"}}}
		}), "world: "},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, s.do("PUT", "/_dayu/state", c.doc, adminAuth...), http.StatusBadRequest, "DAYU.4402", c.reason)
		})
	}
	var was, is map[string]any
	json.Unmarshal(before, &was)
	json.Unmarshal(s.exportState(), &is)
	if w, g := mustJSON(t, was["instances"]), mustJSON(t, is["instances"]); !bytes.Equal(w, g) {
		t.Errorf("a refused import changed the instances:\n %s\n %s", w, g)
	}
	if r := s.do("PUT", "/_dayu/state", before, "Authorization", "Bearer wrong"); r.status != http.StatusUnauthorized {
		t.Errorf("import without the admin token: %d", r.status)
	}
}
