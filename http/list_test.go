package http_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/dayu-emu/dayu"
)

func TestListPaging(t *testing.T) {
	s := newServer(t)
	tok := s.token(q.ProjectID)
	var ids []string
	for n := range 5 {
		b := purchaseBody(testEPS(n))
		b["instance_name"] = fmt.Sprintf("i%d", n)
		r := s.do("POST", purchasePath(q.ProjectID), b, "X-Auth-Token", tok)
		if r.status != http.StatusOK {
			t.Fatalf("%d %s", r.status, r.body)
		}
		ids = append(ids, r.json(t)["resource_id"].(string))
	}
	tests := []struct {
		query string
		want  []string // newest first
	}{
		{"", []string{ids[4], ids[3], ids[2], ids[1], ids[0]}},
		{"?limit=2", []string{ids[4], ids[3]}},
		{"?limit=2&offset=2", []string{ids[2], ids[1]}},
		{"?limit=2&offset=4", []string{ids[0]}},
		{"?offset=5", []string{}},
		{"?offset=500", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := s.do("GET", listPath(q.ProjectID)+tt.query, nil, "X-Auth-Token", tok)
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
			body := r.json(t)
			if body["count"] != 5.0 {
				t.Errorf("count = %v, want the total 5", body["count"])
			}
			if body["billing_check"] != false {
				t.Errorf("billing_check = %v", body["billing_check"])
			}
			items, ok := body["commodity_orders"].([]any)
			if !ok {
				t.Fatalf("commodity_orders is not an array: %s", r.body)
			}
			var got []string
			for _, it := range items {
				got = append(got, it.(map[string]any)["resource_id"].(string))
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("page = %v, want %v", got, tt.want)
			}
			arrays := 0
			for _, v := range body {
				if _, ok := v.([]any); ok {
					arrays++
				}
			}
			if arrays != 1 {
				t.Errorf("envelope has %d array fields, want exactly 1 (GSDK's pager)", arrays)
			}
		})
	}
}

func TestRestartKeepsEverything(t *testing.T) {
	dir := newLocation(t)
	s := startServer(t, dir, &dayu.OffsetClock{})
	tok := s.token(q.ProjectID)
	b := purchaseBody(q.EpsID)
	b["tags"] = []map[string]any{{"key": "k", "value": "v"}}
	r := s.do("POST", purchasePath(q.ProjectID), b, "X-Auth-Token", tok)
	if r.status != http.StatusOK {
		t.Fatalf("%d %s", r.status, r.body)
	}
	before := findItem(t, s.list(tok, q.ProjectID, ""), r.json(t)["resource_id"].(string))
	s.stop()

	s = startServer(t, dir, s.clock)
	// The token issued before the restart still works, and the instance
	// and its one-per-enterprise-project hold are still there.
	after := findItem(t, s.list(tok, q.ProjectID, ""), before["resource_id"].(string))
	if fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("after restart\n%v\nwant\n%v", after, before)
	}
	wantError(t, s.do("POST", purchasePath(q.ProjectID), purchaseBody(q.EpsID), "X-Auth-Token", tok), http.StatusBadRequest, "DAYU.4402", "eps_id")
}
