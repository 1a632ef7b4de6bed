package http_test

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestPurchase200(t *testing.T) {
	s := newServer(t)
	tok := s.token(q.ProjectID)
	// Each case buys in an enterprise project of its own (the body's eps_id
	// after mutate), but for the two that land in the default one, "0":
	// those run on servers of their own.
	tests := []struct {
		name        string
		mutate      func(b map[string]any)
		contentType string
		ownServer   bool
	}{
		{"dev enterprise project", func(b map[string]any) { b["eps_id"] = q.EpsID }, "", false},
		{"eps_id omitted as GSDK and Terraform do", func(b map[string]any) { delete(b, "eps_id") }, "", true},
		{"eps_id empty as the V3 SDK sends it", func(b map[string]any) { b["eps_id"] = "" }, "", true},
		{"yearly", func(b map[string]any) { b["period_type"], b["period_num"] = 3, 3 }, "", false},
		{"nine months, auto renew", func(b map[string]any) { b["period_num"], b["is_auto_renew"] = 9, 1 }, "", false},
		{"tags, one without a value", func(b map[string]any) {
			b["tags"] = []map[string]any{{"key": "env", "value": "ci"}, {"key": "owner"}}
		}, "", false},
		{"every optional field", func(b map[string]any) {
			for _, f := range []string{"commodity_id", "product_id", "cloud_service_type", "resource_type", "cdm_version"} {
				b[f] = "x"
			}
			b["promotion_info"] = strings.Repeat("p", 1024)
			b["instance_name"] = strings.Repeat("名", 128)
		}, "", false},
		{"unknown fields are ignored", func(b map[string]any) { b["flavor"] = map[string]any{"x": 1} }, "", false},
		{"charset in Content-Type", nil, "application/json;charset=UTF-8", false},
		{"optional null is absent", func(b map[string]any) { b["promotion_info"] = nil; b["tags"] = nil }, "", false},
	}
	for n, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, tok := s, tok
			if tt.ownServer {
				s = newServer(t)
				tok = s.token(q.ProjectID)
			}
			b := purchaseBody(testEPS(100 + n))
			if tt.mutate != nil {
				tt.mutate(b)
			}
			wantEps, _ := b["eps_id"].(string)
			if wantEps == "" {
				wantEps = "0"
			}
			headers := []string{"X-Auth-Token", tok}
			if tt.contentType != "" {
				headers = append(headers, "Content-Type", tt.contentType)
			}
			r := s.do("POST", purchasePath(q.ProjectID), b, headers...)
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			got := r.json(t)
			id, _ := got["resource_id"].(string)
			order, _ := got["order_id"].(string)
			if id == "" || order == "" {
				t.Fatalf("want non-empty order_id and resource_id, got %s", r.body)
			}
			item := findItem(t, s.list(tok, q.ProjectID, ""), id)
			if item == nil {
				t.Fatalf("instance %s is not in the list", id)
			}
			want := map[string]any{"order_id": order, "eps_id": wantEps, "resource_name": b["instance_name"],
				"vpc_id": q.VpcID, "net_id": q.NetID, "security_group_id": q.SecurityGroupID,
				"availability_zone": q.AvailabilityZone, "resource_spec_code": q.ResourceSpecCode, "status": 2.0,
				"is_auto_renew": float64(b["is_auto_renew"].(int)), "create_user": q.UserName, "project_id": q.ProjectID}
			for k, v := range want {
				if item[k] != v {
					t.Errorf("%s = %v, want %v", k, item[k], v)
				}
			}
		})
	}
	// A purchase answered 200 is in the list with every field in its JSON type.
	t.Run("list item types", func(t *testing.T) {
		for _, item := range s.list(tok, q.ProjectID, "?limit=100")["commodity_orders"].([]any) {
			checkItemTypes(t, item.(map[string]any))
		}
	})
}

// checkItemTypes asserts every docs/contract.md §4 field and its JSON type.
func checkItemTypes(t *testing.T, item map[string]any) {
	t.Helper()
	strs := []string{"resource_id", "resource_name", "resource_type", "resource_spec_code", "product_id",
		"vpc_id", "net_id", "security_group_id", "availability_zone", "region_id", "project_id", "domain_id",
		"eps_id", "order_id", "order_type", "charge_type", "work_space_mode", "create_user", "subscription_id",
		"lock_check_endpoint", "expire_days"}
	for _, f := range strs {
		if _, ok := item[f].(string); !ok {
			t.Errorf("%s = %#v, want a string", f, item[f])
		}
	}
	for _, f := range []string{"status", "is_auto_renew", "is_trial_order", "effective_time", "expire_time", "create_time"} {
		v, ok := item[f].(float64)
		if !ok || v != float64(int64(v)) {
			t.Errorf("%s = %#v, want an integer", f, item[f])
		}
	}
	for _, f := range []string{"product_id", "create_user", "work_space_mode"} {
		if item[f] == "" {
			t.Errorf("%s is empty; the Terraform provider's tests need it set", f)
		}
	}
	if len(item) != len(strs)+6 {
		t.Errorf("item has %d fields, want %d: %v", len(item), len(strs)+6, item)
	}
}

func findItem(t *testing.T, list map[string]any, id string) map[string]any {
	t.Helper()
	for _, it := range list["commodity_orders"].([]any) {
		if m := it.(map[string]any); m["resource_id"] == id {
			return m
		}
	}
	return nil
}

func TestPurchaseTimes(t *testing.T) {
	s := newServer(t)
	tok := s.token(q.ProjectID)
	before := s.clock.Now().UnixMilli()
	b := purchaseBody(testEPS(1))
	b["period_num"] = 3
	r := s.do("POST", purchasePath(q.ProjectID), b, "X-Auth-Token", tok)
	if r.status != http.StatusOK {
		t.Fatalf("%d %s", r.status, r.body)
	}
	item := findItem(t, s.list(tok, q.ProjectID, ""), r.json(t)["resource_id"].(string))
	eff := int64(item["effective_time"].(float64))
	exp := int64(item["expire_time"].(float64))
	if eff < before || eff > s.clock.Now().UnixMilli() {
		t.Errorf("effective_time %d is not the purchase time", eff)
	}
	wantExp := time.UnixMilli(eff).UTC().AddDate(0, 3, 0)
	if d := time.UnixMilli(exp).UTC().Sub(wantExp); d > 72*time.Hour || d < -72*time.Hour {
		t.Errorf("expire_time %s, want about three months after effective %s", time.UnixMilli(exp).UTC(), time.UnixMilli(eff).UTC())
	}
	days := (time.UnixMilli(exp).Sub(time.UnixMilli(eff)) + 24*time.Hour - 1) / (24 * time.Hour)
	if item["expire_days"] != strconv.Itoa(int(days)) {
		t.Errorf("expire_days = %v, want %d", item["expire_days"], days)
	}
	s.clock.Advance(10 * 24 * time.Hour)
	tok = s.token(q.ProjectID) // the first has expired by now
	item = findItem(t, s.list(tok, q.ProjectID, ""), item["resource_id"].(string))
	if item["expire_days"] != strconv.Itoa(int(days)-10) {
		t.Errorf("ten days later expire_days = %v, want %d", item["expire_days"], days-10)
	}
}

func TestPurchaseOneInstancePerEnterpriseProjectRace(t *testing.T) {
	s := newServer(t)
	tok := s.token(q.ProjectID)
	const racers = 24
	var wg sync.WaitGroup
	statuses := make([]response, racers)
	for n := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := purchaseBody(testEPS(9))
			b["instance_name"] = "racer"
			statuses[n] = s.do("POST", purchasePath(q.ProjectID), b, "X-Auth-Token", tok)
		}()
	}
	wg.Wait()
	won := 0
	for _, r := range statuses {
		switch r.status {
		case http.StatusOK:
			won++
		case http.StatusBadRequest:
			wantError(t, r, http.StatusBadRequest, "DAYU.4402", "eps_id")
		default:
			t.Errorf("unexpected %d: %s", r.status, r.body)
		}
	}
	if won != 1 {
		t.Errorf("%d purchases won, want exactly 1", won)
	}
	if n := s.count(tok, q.ProjectID); n != 1 {
		t.Errorf("list count = %d, want 1", n)
	}
}
