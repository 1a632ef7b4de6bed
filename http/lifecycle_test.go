package http_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/dayu-emu/dayu"
)

// advance moves the dev clock through the admin API.
func (s *server) advance(d time.Duration) {
	s.t.Helper()
	r := s.do("POST", "/_dayu/clock", map[string]any{"advance_seconds": d.Seconds()}, "Authorization", "Bearer "+adminToken)
	if r.status != http.StatusOK {
		s.t.Fatalf("advance clock: %d %s", r.status, r.body)
	}
}

// status is the instance's status in the list, 0 when it is not listed.
func (s *server) status(id string) float64 {
	s.t.Helper()
	item := findItem(s.t, s.list(s.token(q.ProjectID), q.ProjectID, "?limit=100"), id)
	if item == nil {
		return 0
	}
	return item["status"].(float64)
}

func (s *server) buy(eps string, autoRenew int) map[string]any {
	s.t.Helper()
	b := purchaseBody(eps)
	b["is_auto_renew"] = autoRenew
	r := s.do("POST", purchasePath(q.ProjectID), b, "X-Auth-Token", s.token(q.ProjectID))
	if r.status != http.StatusOK {
		s.t.Fatalf("purchase: %d %s", r.status, r.body)
	}
	return r.json(s.t)
}

func (s *server) orderStatus(orderID string) (float64, float64) {
	s.t.Helper()
	r := s.do("GET", "/v2/orders/customer-orders/details/"+orderID, nil, "X-Auth-Token", s.token(q.ProjectID))
	if r.status != http.StatusOK {
		s.t.Fatalf("order %s: %d %s", orderID, r.status, r.body)
	}
	info := r.json(s.t)["order_info"].(map[string]any)
	return info["status"].(float64), info["order_type"].(float64)
}

// TestLifecycleRenewalAndExpiry buys a renewing and a non-renewing
// one-month instance, moves the clock, and restarts the server half way:
// the renewing one stays in effect with a renewal order, the other goes
// through grace (5), frozen (4) and out of the list, and frees its
// enterprise project.
func TestLifecycleRenewalAndExpiry(t *testing.T) {
	dir := newLocation(t)
	s := startServer(t, dir, &dayu.OffsetClock{})
	grace, retention := 10*24*time.Hour, 20*24*time.Hour // the harness's timings
	renewing := s.buy(testEPS(1), 1)
	lapsing := s.buy(testEPS(2), 0)
	rid, lid := renewing["resource_id"].(string), lapsing["resource_id"].(string)
	if s.status(rid) != 2 || s.status(lid) != 2 {
		t.Fatalf("statuses after purchase: %v %v, want 2 2", s.status(rid), s.status(lid))
	}

	s.advance(32 * 24 * time.Hour) // past the first expiry
	if got := s.status(rid); got != 2 {
		t.Errorf("auto-renewed instance status %v, want 2", got)
	}
	if st, typ := s.orderStatus(renewing["order_id"].(string) + "-R1"); st != 5 || typ != 2 {
		t.Errorf("renewal order: status %v type %v, want 5 and 2", st, typ)
	}
	if got := s.status(lid); got != 5 {
		t.Errorf("lapsed instance status %v, want 5 (grace)", got)
	}

	// A restart in the middle loses nothing: state is derived from what is stored.
	clock := s.clock
	s.stop()
	s = startServer(t, dir, clock)

	s.advance(grace)
	if got := s.status(lid); got != 4 {
		t.Errorf("after the grace period status %v, want 4 (frozen)", got)
	}
	s.advance(retention)
	if got := s.status(lid); got != 0 {
		t.Errorf("after retention the instance is still listed with status %v", got)
	}
	if got := s.status(rid); got != 2 {
		t.Errorf("renewing instance status %v after two months, want 2", got)
	}
	if st, _ := s.orderStatus(renewing["order_id"].(string) + "-R2"); st != 5 {
		t.Errorf("second renewal order status %v, want 5", st)
	}
	r := s.do("GET", "/v2/orders/customer-orders/details/"+renewing["order_id"].(string)+"-R9", nil, "X-Auth-Token", s.token(q.ProjectID))
	wantError(t, r, http.StatusNotFound, "CBC.0101", "does not exist")
	// The gone instance's enterprise project can be bought again.
	s.buy(testEPS(2), 0)
}

func TestUnsubscribeRenewalsOnly(t *testing.T) {
	s := newServer(t)
	bought := s.buy(testEPS(3), 1)
	id := bought["resource_id"].(string)
	tok := s.token(q.ProjectID)
	r := s.do("POST", "/v2/orders/subscriptions/resources/unsubscribe", map[string]any{"resource_ids": []string{id}, "unsubscribe_type": 2}, "X-Auth-Token", tok)
	if r.status != http.StatusOK {
		t.Fatalf("unsubscribe renewals: %d %s", r.status, r.body)
	}
	if got := s.status(id); got != 2 {
		t.Errorf("status %v right after cancelling renewals, want 2", got)
	}
	s.advance(32 * 24 * time.Hour)
	if got := s.status(id); got != 5 {
		t.Errorf("status %v after expiry without renewals, want 5", got)
	}
}

func TestUnsubscribe(t *testing.T) {
	s := newServer(t)
	tok := s.token(q.ProjectID)
	main := s.buy(testEPS(4), 0)["resource_id"].(string)
	pkg := purchaseBody(testEPS(4))
	pkg["extesion_package_type"], pkg["binding_instance_id"] = "dayu.package.cdm", main
	r := s.do("POST", purchasePath(q.ProjectID), pkg, "X-Auth-Token", tok)
	if r.status != http.StatusOK {
		t.Fatalf("package: %d %s", r.status, r.body)
	}
	pkgID := r.json(t)["resource_id"].(string)
	q2 := s.do("POST", "/v2/orders/suscriptions/resources/query", map[string]any{"resource_ids": []string{main, pkgID}}, "X-Auth-Token", tok).json(t)
	if q2["total_count"] != 2.0 {
		t.Fatalf("resource query: %v", q2)
	}
	for _, d := range q2["data"].([]any) {
		d := d.(map[string]any)
		if d["resource_id"] == pkgID && (d["is_main_resource"] != 0.0 || d["parent_resource_id"] != main) {
			t.Errorf("package resource %v, want a child of %s", d, main)
		}
	}

	tests := []struct {
		name   string
		body   any
		field  string
		failed int
		orders int
	}{
		{"unknown type", map[string]any{"resource_ids": []string{main}, "unsubscribe_type": 3}, "unsubscribe_type", 0, 0},
		{"no ids", map[string]any{"resource_ids": []string{}, "unsubscribe_type": 1}, "resource_ids", 0, 0},
		{"unknown resource", map[string]any{"resource_ids": []string{"nope"}, "unsubscribe_type": 1}, "", 1, 0},
		{"the instance and its package", map[string]any{"resource_ids": []string{main}, "unsubscribe_type": 1}, "", 0, 1},
		{"again", map[string]any{"resource_ids": []string{main}, "unsubscribe_type": 1}, "", 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.do("POST", "/v2/orders/subscriptions/resources/unsubscribe", tt.body, "X-Auth-Token", tok)
			if tt.field != "" {
				wantError(t, r, http.StatusBadRequest, "CBC.0100", tt.field)
				return
			}
			if r.status != http.StatusOK {
				t.Fatalf("%d %s", r.status, r.body)
			}
			got := r.json(t)
			if n := len(got["fail_resource_infos"].([]any)); n != tt.failed {
				t.Errorf("%d failures, want %d: %s", n, tt.failed, r.body)
			}
			if n := len(got["order_ids"].([]any)); n != tt.orders {
				t.Errorf("%d orders, want %d: %s", n, tt.orders, r.body)
			}
		})
	}
	// The harness deletes at once: both are gone, and the unsubscribe order is complete.
	if s.status(main) != 0 || s.status(pkgID) != 0 {
		t.Errorf("after unsubscribe: main %v, package %v; want both gone", s.status(main), s.status(pkgID))
	}
}

func TestBSSIsScopedToTheDomain(t *testing.T) {
	s := newServer(t)
	bought := s.buy(testEPS(5), 0)
	other := newServer(t) // another deployment knows nothing of this order
	r := other.do("GET", "/v2/orders/customer-orders/details/"+bought["order_id"].(string), nil, "X-Auth-Token", other.token(q.ProjectID))
	wantError(t, r, http.StatusNotFound, "CBC.0101", "does not exist")
}

func TestAdminAPI(t *testing.T) {
	s := newServer(t)
	for _, h := range [][]string{nil, {"Authorization", "Bearer wrong"}, {"X-Auth-Token", s.token(q.ProjectID)}} {
		r := s.do("POST", "/_dayu/reset", nil, h...)
		wantError(t, r, http.StatusUnauthorized, "APIGW.0301", "admin")
	}
	s.buy(testEPS(6), 0)
	if r := s.do("POST", "/_dayu/reset", nil, "Authorization", "Bearer "+adminToken); r.status != http.StatusOK {
		t.Fatalf("reset: %d %s", r.status, r.body)
	}
	if n := s.count(s.token(q.ProjectID), q.ProjectID); n != 0 {
		t.Errorf("after reset the list has %d instances", n)
	}
	r := s.do("PUT", "/_dayu/timings", map[string]any{"provisioning_seconds": -1}, "Authorization", "Bearer "+adminToken)
	wantError(t, r, http.StatusBadRequest, "DAYU.4402", "provisioning_seconds")
	r = s.do("POST", "/_dayu/clock", map[string]any{"advance_seconds": -5}, "Authorization", "Bearer "+adminToken)
	wantError(t, r, http.StatusBadRequest, "DAYU.4402", "advance_seconds")
	s.setTimings("", dayu.Timings{Provisioning: time.Minute})
	id := s.buy(testEPS(7), 0)["resource_id"].(string)
	if got := s.status(id); got != 1 {
		t.Errorf("status %v during provisioning, want 1", got)
	}
	s.advance(time.Minute)
	if got := s.status(id); got != 2 {
		t.Errorf("status %v after provisioning, want 2", got)
	}
}
