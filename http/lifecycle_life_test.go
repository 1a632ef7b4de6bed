package http_test

import (
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/dayu-emu/dayu"
)

// call sends an API request signed as GSDK signs (cheaper than issuing a
// token, and valid at the dev clock) and fails the test unless it is
// answered want.
func (s *server) call(want int, method, path string, body any) response {
	s.t.Helper()
	r := s.gsdk(method, path, body)
	if r.status != want {
		s.t.Fatalf("%s %s: %d %s, want %d", method, path, r.status, r.body, want)
	}
	return r
}

// listed is the instance's list item, nil when it is not listed.
func (s *server) listed(id string) map[string]any {
	s.t.Helper()
	return findItem(s.t, s.call(http.StatusOK, "GET", listPath(q.ProjectID)+"?limit=100", nil).json(s.t), id)
}

// statusOf is the instance's status in the list, 0 when it is not listed.
func (s *server) statusOf(id string) float64 {
	s.t.Helper()
	if item := s.listed(id); item != nil {
		return item["status"].(float64)
	}
	return 0
}

// expireTime is the list's expire_time of an instance.
func (s *server) expireTime(id string) time.Time {
	s.t.Helper()
	item := s.listed(id)
	if item == nil {
		s.t.Fatalf("instance %s is not listed", id)
	}
	return time.UnixMilli(int64(item["expire_time"].(float64))).UTC()
}

// order is an order's status and type.
func (s *server) order(id string) (status, typ float64) {
	s.t.Helper()
	info := s.call(http.StatusOK, "GET", "/v2/orders/customer-orders/details/"+id, nil).json(s.t)["order_info"].(map[string]any)
	return info["status"].(float64), info["order_type"].(float64)
}

// purchase buys an instance in eps and returns its resource and order ids.
func (s *server) purchase(eps string, autoRenew int) (id, orderID string) {
	s.t.Helper()
	b := purchaseBody(eps)
	b["is_auto_renew"] = autoRenew
	got := s.call(http.StatusOK, "POST", purchasePath(q.ProjectID), b).json(s.t)
	return got["resource_id"].(string), got["order_id"].(string)
}

func autoRenewPath(id string) string { return "/v2/orders/subscriptions/resources/autorenew/" + id }

const renewPath = "/v2/orders/subscriptions/resources/renew"

// orderTypes lists the caller's orders about the resource, newest first,
// as their types.
func (s *server) orderTypes(resourceOrderPrefix string) []float64 {
	s.t.Helper()
	r := s.call(http.StatusOK, "GET", "/v2/orders/customer-orders?limit=100", nil)
	var out []float64
	for _, o := range r.json(s.t)["order_infos"].([]any) {
		o := o.(map[string]any)
		if id := o["order_id"].(string); len(id) >= len(resourceOrderPrefix) && id[:len(resourceOrderPrefix)] == resourceOrderPrefix {
			out = append(out, o["order_type"].(float64))
		}
	}
	return out
}

// TestLifecycleAutoRenewOffBeforeExpiry: an instance bought renewing,
// switched off before its first expiry, goes to grace at that expiry, with
// no renewal order, then frozen and out of the list; a second node on the
// same store and a restart agree at every step.
func TestLifecycleAutoRenewOffBeforeExpiry(t *testing.T) {
	dir := newLocation(t)
	s := startServer(t, dir, &dayu.OffsetClock{})
	id, orderID := s.purchase(testEPS(30), 1)
	s.advance(10 * 24 * time.Hour)
	s.call(http.StatusNoContent, "DELETE", autoRenewPath(id), nil)
	if got := s.listed(id)["is_auto_renew"]; got != 0.0 {
		t.Errorf("is_auto_renew %v after switching off, want 0", got)
	}

	// A second node on the same store, with its own clock at the same time:
	// on PostgreSQL (a SQLite data directory serves one process).
	nodes := map[string]*server{"first node": s}
	if os.Getenv(storeEnv) == "postgres" {
		nodes["second node"] = startServer(t, dir, s.clock)
	}
	s.advance(22 * 24 * time.Hour) // past the first expiry
	for name, node := range nodes {
		if st := node.statusOf(id); st != 5 {
			t.Errorf("%s: status %v after the expiry, want 5 (grace)", name, st)
		}
	}
	if r := s.gsdk("GET", "/v2/orders/customer-orders/details/"+orderID+"-R1", nil); r.status != http.StatusNotFound {
		t.Errorf("a renewal order after auto-renew was switched off: %d %s", r.status, r.body)
	}
	if got := s.orderTypes(orderID); len(got) != 1 || got[0] != 1 {
		t.Errorf("orders of the instance %v, want only its purchase", got)
	}

	clock := s.clock
	for _, n := range nodes {
		n.stop()
	}
	s = startServer(t, dir, clock) // a restart keeps all of it
	s.advance(10 * 24 * time.Hour)
	if st := s.statusOf(id); st != 4 {
		t.Errorf("after the restart and the grace period: status %v, want 4 (frozen)", st)
	}
	s.advance(20 * 24 * time.Hour)
	if st := s.statusOf(id); st != 0 {
		t.Errorf("after the retention period the instance is listed with status %v", st)
	}
	s.purchase(testEPS(30), 0) // its enterprise project is free
}

// TestLifecycleRenewFrozen: a frozen instance renewed (auto-paid) is in
// effect again, stays listed past the day it would have gone, and lapses at
// its new expiry; BSS agrees.
func TestLifecycleRenewFrozen(t *testing.T) {
	s := newServer(t)
	id, _ := s.purchase(testEPS(31), 0)
	expiry := s.expireTime(id)
	s.advance(expiry.Sub(s.clock.Now()) + 11*24*time.Hour) // grace is 10 days: frozen
	if st := s.statusOf(id); st != 4 {
		t.Fatalf("status %v, want 4 (frozen)", st)
	}
	r := s.call(http.StatusOK, "POST", renewPath, map[string]any{"resource_ids": []string{id}, "period_type": 2, "period_num": 1, "is_auto_pay": 1})
	if n := len(r.json(t)["order_ids"].([]any)); n != 1 {
		t.Fatalf("renewal: %s", r.body)
	}
	if st := s.statusOf(id); st != 2 {
		t.Errorf("status %v after renewing the frozen instance, want 2", st)
	}
	renewed := dayu.AddPeriod(expiry, dayu.PeriodMonth, 1) // counted from the lapsed expiry
	if got := s.expireTime(id); !got.Equal(renewed) {
		t.Errorf("expire_time %s, want %s", got, renewed)
	}
	q2 := s.call(http.StatusOK, "POST", "/v2/orders/suscriptions/resources/query", map[string]any{"resource_ids": []string{id}}).json(t)
	if d := q2["data"].([]any)[0].(map[string]any); d["status"] != 2.0 || d["expire_time"] != renewed.Format("2006-01-02T15:04:05Z") {
		t.Errorf("BSS resource %v, want status 2 expiring %s", d, renewed)
	}
	// It would have gone 30 days after its first expiry: it is still there.
	s.advance(expiry.Add(30*24*time.Hour + time.Minute).Sub(s.clock.Now()))
	if st := s.statusOf(id); st == 0 {
		t.Errorf("the renewed instance left the list when its first term's retention ended")
	}
	s.advance(renewed.Add(time.Minute).Sub(s.clock.Now())) // it lapses anew
	if st := s.statusOf(id); st != 5 {
		t.Errorf("status %v after the renewed term, want 5 (grace)", st)
	}
	s.advance(30 * 24 * time.Hour)
	if st := s.statusOf(id); st != 0 {
		t.Errorf("status %v after the renewed term's grace and retention, want gone", st)
	}
}

// TestLifecycleSpecChangeSpansTermBoundary: an upgrade ordered before an
// expiry completes after it: the instance renews at the expiry with its old
// edition and has the new one once the change completes; orders and list
// agree.
func TestLifecycleSpecChangeSpansTermBoundary(t *testing.T) {
	s := newServer(t)
	s.setTimings(q.ProjectID, dayu.Timings{Provisioning: time.Hour, Grace: 24 * time.Hour, Retention: 24 * time.Hour})
	id, orderID := s.purchase(testEPS(32), 1)
	expiry := s.expireTime(id)
	s.advance(expiry.Add(-30 * time.Minute).Sub(s.clock.Now()))
	r := s.call(http.StatusOK, "POST", "/v1/"+q.ProjectID+"/change-resource", map[string]any{"change_mode": 10, "resource_id": id, "resource_spec_code": "dayu.advanced"})
	change := r.json(t)["order_id"].(string)

	s.advance(31 * time.Minute) // past the expiry, the change under way
	item := s.listed(id)
	if item["status"] != 2.0 || item["resource_spec_code"] != "dayu.starter" {
		t.Errorf("after the expiry: status %v, edition %v; want 2, dayu.starter", item["status"], item["resource_spec_code"])
	}
	if st, typ := s.order(change); st == 5 || typ != 3 {
		t.Errorf("the change order: status %v, type %v; want not yet 5, type 3", st, typ)
	}
	if st, _ := s.order(orderID + "-R1"); st != 5 {
		t.Errorf("the renewal at the expiry: status %v, want 5", st)
	}

	s.advance(30 * time.Minute) // the change completes
	item = s.listed(id)
	if item["status"] != 2.0 || item["resource_spec_code"] != "dayu.advanced" || item["product_id"] != "OFFI740586375358963719" {
		t.Errorf("after the change: %v, want status 2, dayu.advanced", item)
	}
	if got, want := s.expireTime(id), dayu.AddPeriod(expiry, dayu.PeriodMonth, 1); !got.Equal(want) {
		t.Errorf("expire_time %s, want %s (renewed once)", got, want)
	}
	if st, _ := s.order(change); st != 5 {
		t.Errorf("the change order: status %v, want 5", st)
	}
	// Newest first: the renewal (at the expiry), the change, the purchase.
	types := s.orderTypes(orderID)
	types = append(types, s.orderTypes(change)...)
	if len(types) != 3 || types[0] != 2 || types[1] != 1 || types[2] != 3 {
		t.Errorf("order types %v, want the renewal and the purchase, and the change", types)
	}
}

// TestSpecChangeRacingRenewal: a spec change and a renewal of one instance
// sent at once both take effect (each is computed again when the other
// changed the instance first).
func TestSpecChangeRacingRenewal(t *testing.T) {
	s := newServer(t)
	id, _ := s.purchase(testEPS(33), 0)
	expiry := s.expireTime(id)
	const rounds = 4
	done := make(chan response, 2*rounds)
	specs := []string{"dayu.basic", "dayu.advanced", "dayu.nb.professional", "dayu.nb.enterprise"}
	for n := range rounds {
		go func() {
			done <- s.gsdk("POST", "/v1/"+q.ProjectID+"/change-resource", map[string]any{"change_mode": 10, "resource_id": id, "resource_spec_code": specs[n]})
		}()
		go func() {
			done <- s.gsdk("POST", renewPath, map[string]any{"resource_ids": []string{id}, "period_type": 2, "period_num": 1, "is_auto_pay": 1})
		}()
		a, b := <-done, <-done
		for _, r := range []response{a, b} {
			if r.status != http.StatusOK {
				t.Fatalf("round %d: %d %s", n, r.status, r.body)
			}
			if f, ok := r.json(t)["fail_resource_infos"].([]any); ok && len(f) != 0 {
				t.Fatalf("round %d: the renewal failed: %s", n, r.body)
			}
		}
	}
	item := s.listed(id)
	if item["resource_spec_code"] != specs[rounds-1] {
		t.Errorf("edition %v, want %s", item["resource_spec_code"], specs[rounds-1])
	}
	if got, want := s.expireTime(id), dayu.AddPeriod(expiry, dayu.PeriodMonth, rounds); !got.Equal(want) {
		t.Errorf("expire_time %s after %d renewals, want %s", got, rounds, want)
	}
}
