package http_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/internal/apitest"
)

const (
	queryPath       = "/v2/orders/suscriptions/resources/query"
	unsubscribePath = "/v2/orders/subscriptions/resources/unsubscribe"
)

// query sends a BSS resource query and returns the ids of its page, in
// order, and its total_count.
func (s *server) query(token string, body any) ([]string, int) {
	s.t.Helper()
	r := s.do("POST", queryPath, body, "X-Auth-Token", token)
	if r.status != http.StatusOK {
		s.t.Fatalf("query %v: %d %s", body, r.status, r.body)
	}
	got := r.json(s.t)
	var ids []string
	for _, d := range got["data"].([]any) {
		ids = append(ids, d.(map[string]any)["resource_id"].(string))
	}
	return ids, int(got["total_count"].(float64))
}

// TestResourceQuery: the BSS resource query follows the V3 SDK's
// QueryResourcesReq. No filter selects every resource of the caller's
// domain, every project's; the filters given narrow each other; a query
// by id with only_main_resource 0 also answers the packages bound to it.
func TestResourceQuery(t *testing.T) {
	s := newServer(t)
	tok := s.token(q.ProjectID)
	start := s.clock.Now()
	a := s.buy(testEPS(1), 1)
	b := s.buy(testEPS(2), 0)["resource_id"].(string)
	c := s.buy(testEPS(3), 0)["resource_id"].(string)
	pkg := purchaseBody(testEPS(1))
	pkg["extesion_package_type"], pkg["binding_instance_id"], pkg["period_num"] = "dayu.package.cdm", a["resource_id"], 3
	r := s.do("POST", purchasePath(q.ProjectID), pkg, "X-Auth-Token", tok)
	if r.status != http.StatusOK {
		t.Fatalf("package: %d %s", r.status, r.body)
	}
	p := r.json(t)["resource_id"].(string)
	south := purchaseBody(testEPS(1))
	south["region_id"], south["availability_zone"], south["vpc_id"] = "cn-south-1", "cn-south-1a", "22222222-3333-4444-5555-666666666666"
	south["net_id"], south["security_group_id"] = "77777777-8888-9999-0000-111111111111", "bbbbbbbb-cccc-dddd-eeee-ffffffffffff"
	r = s.do("POST", purchasePath(otherProject), south, "X-Auth-Token", s.token(otherProject))
	if r.status != http.StatusOK {
		t.Fatalf("purchase in %s: %d %s", otherProject, r.status, r.body)
	}
	other := r.json(t)["resource_id"].(string)
	if r := s.do("POST", unsubscribePath, map[string]any{"resource_ids": []string{c}, "unsubscribe_type": 1}, "X-Auth-Token", tok); r.status != http.StatusOK {
		t.Fatalf("unsubscribe: %d %s", r.status, r.body)
	}
	id := a["resource_id"].(string)
	all := []string{id, b, c, p, other}
	inTwoMonths := start.AddDate(0, 2, 0).UTC().Format("2006-01-02T15:04:05Z")

	tests := []struct {
		name string
		body any
		want []string // the whole selection, oldest first
	}{
		{"no filter", map[string]any{}, all},
		{"empty filters", map[string]any{"order_id": "", "resource_ids": []string{}, "status_list": []int{}, "expire_time_begin": "", "expire_time_end": ""}, all},
		{"null filters", map[string]any{"order_id": nil, "resource_ids": nil, "only_main_resource": nil, "service_type_code": nil}, all},
		{"main resources", map[string]any{"only_main_resource": 1}, []string{id, b, c, other}},
		{"an id and its package", map[string]any{"resource_ids": []string{id}}, []string{id, p}},
		{"an id, only main", map[string]any{"resource_ids": []string{id}, "only_main_resource": 1}, []string{id}},
		{"a package by id, only main", map[string]any{"resource_ids": []string{p}, "only_main_resource": 1}, []string{p}},
		{"an order", map[string]any{"order_id": a["order_id"], "only_main_resource": 1}, []string{id}},
		{"an order and another order's id", map[string]any{"order_id": a["order_id"], "resource_ids": []string{b}}, nil},
		{"closed", map[string]any{"status_list": []int{3}}, []string{c}},
		{"in use, main", map[string]any{"status_list": []int{2}, "only_main_resource": 1}, []string{id, b, other}},
		{"in use or closed, of ids", map[string]any{"status_list": []int{2, 3}, "resource_ids": []string{b, c}}, []string{b, c}},
		{"expiring from in two months", map[string]any{"expire_time_begin": inTwoMonths}, []string{p}},
		{"expiring by two months, main", map[string]any{"expire_time_end": inTwoMonths, "only_main_resource": 1}, []string{id, b, c, other}},
		{"DataArts Studio's", map[string]any{"service_type_code": "hws.service.type.dayu"}, all},
		{"another service's", map[string]any{"service_type_code": "hws.service.type.obs"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, total := s.query(tok, tt.body)
			if total != len(tt.want) || !slices.Equal(got, tt.want) {
				t.Errorf("query %v = %v, total %d; want %v, total %d", tt.body, got, total, tt.want, len(tt.want))
			}
		})
	}
	t.Run("paging", func(t *testing.T) {
		for _, pg := range []struct{ offset, limit int }{{0, 2}, {2, 2}, {4, 2}, {4, 10}, {5, 10}, {100, 1}} {
			got, total := s.query(tok, map[string]any{"offset": pg.offset, "limit": pg.limit})
			want := all[min(pg.offset, len(all)):min(pg.offset+pg.limit, len(all))]
			if total != len(all) || !slices.Equal(got, want) {
				t.Errorf("offset %d limit %d: %v, total %d; want %v, total %d", pg.offset, pg.limit, got, total, want, len(all))
			}
		}
		// Ten when no limit is given.
		for n := range 8 {
			s.buy(testEPS(10+n), 0)
		}
		if got, total := s.query(tok, map[string]any{}); len(got) != 10 || total != len(all)+8 {
			t.Errorf("default page: %d resources, total %d; want 10 of %d", len(got), total, len(all)+8)
		}
	})

	many := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprint(i)
		}
		return out
	}
	for _, tt := range []struct {
		name  string
		body  any
		field string
	}{
		{"51 ids", map[string]any{"resource_ids": many(51)}, "resource_ids"},
		{"32766 ids", map[string]any{"resource_ids": many(32766)}, "resource_ids"},
		{"status 1", map[string]any{"status_list": []int{1}}, "status_list"},
		{"only_main_resource 2", map[string]any{"only_main_resource": 2}, "only_main_resource"},
		{"a date without a time", map[string]any{"expire_time_begin": "2026-01-01"}, "expire_time_begin"},
		{"a time with a zone", map[string]any{"expire_time_end": "2026-01-01T08:00:00+08:00"}, "expire_time_end"},
		{"an empty service type", map[string]any{"service_type_code": ""}, "service_type_code"},
		{"limit 0", map[string]any{"limit": 0}, "limit"},
		{"limit 501", map[string]any{"limit": 501}, "limit"},
		{"offset -1", map[string]any{"offset": -1}, "offset"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, s.do("POST", queryPath, tt.body, "X-Auth-Token", tok), http.StatusBadRequest, "CBC.0100", tt.field)
		})
	}
	for _, n := range []int{101, 32766} {
		t.Run(fmt.Sprintf("unsubscribe %d ids", n), func(t *testing.T) {
			r := s.do("POST", unsubscribePath, map[string]any{"resource_ids": many(n), "unsubscribe_type": 1}, "X-Auth-Token", tok)
			wantError(t, r, http.StatusBadRequest, "CBC.0100", "resource_ids")
		})
	}
	if got, _ := s.query(tok, map[string]any{"resource_ids": []string{b}}); !slices.Equal(got, []string{b}) {
		t.Errorf("after the refused requests: %v, want %s still there", got, b)
	}
}

// TestRacingUnsubscribes: unsubscriptions that race over the same
// resources all answer 200, and each id of each request is either
// unsubscribed by that request (one order) or listed in
// fail_resource_infos; every resource is unsubscribed exactly once.
func TestRacingUnsubscribes(t *testing.T) {
	s := newServer(t)
	s.setTimings("", dayu.Timings{Deletion: time.Hour, Grace: time.Hour, Retention: time.Hour}) // still there, deleting
	tok := s.token(q.ProjectID)
	const resources, requests = 6, 8
	for round := range 2 {
		var ids []string
		for n := range resources {
			ids = append(ids, s.buy(testEPS(round*resources+n), 1)["resource_id"].(string))
		}
		type answer struct {
			status int
			body   map[string]any
			asked  []string
		}
		answers := make([]answer, requests)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for k := range requests {
			asked := append(slices.Clone(ids[k%resources:]), ids[:k%resources]...) // each in another order
			wg.Go(func() {
				<-start
				req, err := apitest.NewRequest("POST", s.URL+unsubscribePath, map[string]any{"resource_ids": asked, "unsubscribe_type": 1}, "X-Auth-Token", tok)
				if err != nil {
					t.Error(err)
					return
				}
				resp, err := s.client.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				defer resp.Body.Close()
				var body map[string]any
				if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
					t.Error(err)
				}
				answers[k] = answer{resp.StatusCode, body, asked}
			})
		}
		close(start)
		wg.Wait()
		endedBy := map[string]int{}
		orders := 0
		for k, a := range answers {
			if a.status != http.StatusOK {
				t.Fatalf("round %d, request %d: %d %v", round, k, a.status, a.body)
			}
			failed := map[string]bool{}
			for _, f := range a.body["fail_resource_infos"].([]any) {
				f := f.(map[string]any)
				if f["error_code"] != "CBC.0100" || !strings.Contains(f["error_msg"].(string), "already unsubscribed") {
					t.Errorf("round %d, request %d: failure %v", round, k, f)
				}
				failed[f["resource_id"].(string)] = true
			}
			n := len(a.body["order_ids"].([]any))
			orders += n
			if n+len(failed) != resources {
				t.Errorf("round %d, request %d: %d orders and %d failures for %d ids: %v", round, k, n, len(failed), resources, a.body)
			}
			for _, id := range a.asked {
				if !failed[id] {
					endedBy[id]++
				}
			}
		}
		for _, id := range ids {
			if endedBy[id] != 1 {
				t.Errorf("round %d: %s unsubscribed by %d requests, want 1", round, id, endedBy[id])
			}
		}
		if orders != resources {
			t.Errorf("round %d: %d unsubscribe orders, want %d", round, orders, resources)
		}
		if got, _ := s.query(tok, map[string]any{"resource_ids": ids, "status_list": []int{3}}); len(got) != resources {
			t.Errorf("round %d: %d of %d resources closed", round, len(got), resources)
		}
	}
}
