package http_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dayu-emu/dayu"
)

func TestIdempotentRetries(t *testing.T) {
	dir := newLocation(t)
	s := startServer(t, dir, &dayu.OffsetClock{})
	tok := s.token(q.ProjectID)
	buy := func(eps, header, key string) response {
		return s.do("POST", purchasePath(q.ProjectID), purchaseBody(eps), "X-Auth-Token", tok, header, key)
	}
	first := buy(testEPS(1), "X-Client-Token", "key-1")
	if first.status != http.StatusOK {
		t.Fatalf("first: %d %s", first.status, first.body)
	}
	want := first.json(t)

	t.Run("a retry answers as the first and stores nothing", func(t *testing.T) {
		for _, h := range []string{"X-Client-Token", "Idempotency-Key"} {
			r := buy(testEPS(1), h, "key-1")
			if r.status != http.StatusOK || r.json(t)["resource_id"] != want["resource_id"] || r.json(t)["order_id"] != want["order_id"] {
				t.Errorf("%s retry: %d %s, want %v", h, r.status, r.body, want)
			}
		}
		if n := s.count(tok, q.ProjectID); n != 1 {
			t.Errorf("list count %d, want 1", n)
		}
	})
	t.Run("the same key with another purchase", func(t *testing.T) {
		r := buy(testEPS(2), "X-Client-Token", "key-1")
		wantError(t, r, http.StatusUnprocessableEntity, "DAYU.4402", "key-1")
		if n := s.count(tok, q.ProjectID); n != 1 {
			t.Errorf("list count %d, want 1", n)
		}
	})
	t.Run("racing retries", func(t *testing.T) {
		var wg sync.WaitGroup
		answers := make([]response, 16)
		for n := range answers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				answers[n] = buy(testEPS(3), "Idempotency-Key", "key-race")
			}()
		}
		wg.Wait()
		ids := map[any]bool{}
		for _, r := range answers {
			if r.status != http.StatusOK {
				t.Fatalf("racing retry: %d %s", r.status, r.body)
			}
			ids[r.json(t)["resource_id"]] = true
		}
		if len(ids) != 1 {
			t.Errorf("racing retries got %d different resources, want 1", len(ids))
		}
		if n := s.count(tok, q.ProjectID); n != 2 {
			t.Errorf("list count %d, want 2", n)
		}
	})
	t.Run("too long a key", func(t *testing.T) {
		wantError(t, buy(testEPS(4), "X-Client-Token", strings.Repeat("k", 256)), http.StatusBadRequest, "DAYU.4402", "idempotency key")
	})

	clock := s.clock
	s.stop()
	s = startServer(t, dir, clock)
	tok = s.token(q.ProjectID)
	t.Run("a retry after a restart", func(t *testing.T) {
		r := buy(testEPS(1), "X-Client-Token", "key-1")
		if r.status != http.StatusOK || r.json(t)["resource_id"] != want["resource_id"] {
			t.Errorf("retry after restart: %d %s, want %v", r.status, r.body, want)
		}
	})
	t.Run("keys expire after 24 hours", func(t *testing.T) {
		s.clock.Advance(24*time.Hour + time.Second)
		tok = s.token(q.ProjectID)
		r := buy(testEPS(5), "X-Client-Token", "key-1")
		if r.status != http.StatusOK || r.json(t)["resource_id"] == want["resource_id"] {
			t.Errorf("a day later the key should buy anew: %d %s", r.status, r.body)
		}
	})
}
