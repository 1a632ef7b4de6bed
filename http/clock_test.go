package http_test

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/node"
)

// steppingClock is the service's clock made to jump ahead by step after
// every read, once step is set: a request that read the clock twice would
// show two moments as one.
type steppingClock struct {
	*dayu.OffsetClock
	step atomic.Int64
}

func (c *steppingClock) Now() time.Time {
	now := c.OffsetClock.Now()
	c.Advance(time.Duration(c.step.Load()))
	return now
}

// TestOneClockReadPerRequest: what a list or a resource query shows is as
// of the one moment the service acted at, even when the clock moves while
// the request runs.
func TestOneClockReadPerRequest(t *testing.T) {
	var clock *steppingClock
	s := newServer(t, func(c *node.Config) {
		clock = &steppingClock{OffsetClock: c.Clock.(*dayu.OffsetClock)}
		c.Clock = clock
	})
	tok := s.token(q.ProjectID)

	// An instance being deleted: listed with status 6 until it is gone.
	s.setTimings("", dayu.Timings{Deletion: time.Minute, Grace: time.Hour, Retention: time.Hour})
	deleting := s.buy(testEPS(1), 0)["resource_id"].(string)
	r := s.do("POST", "/v2/orders/subscriptions/resources/unsubscribe", map[string]any{"resource_ids": []string{deleting}, "unsubscribe_type": 1}, "X-Auth-Token", tok)
	if r.status != http.StatusOK {
		t.Fatalf("unsubscribe: %d %s", r.status, r.body)
	}
	clock.step.Store(int64(2 * time.Minute))
	for _, it := range s.list(tok, q.ProjectID, "")["commodity_orders"].([]any) {
		if st := it.(map[string]any)["status"]; st == 3.0 {
			t.Errorf("the list shows %s as gone (status 3) while listing it", it.(map[string]any)["resource_id"])
		}
	}
	clock.step.Store(0)

	// An instance a minute before it expires, queried by status 2 (in use).
	lapsing := s.buy(testEPS(2), 0)["resource_id"].(string)
	clock.Advance(31*24*time.Hour - time.Minute)
	tok = s.token(q.ProjectID)
	clock.step.Store(int64(2 * time.Minute))
	r = s.do("POST", "/v2/orders/suscriptions/resources/query", map[string]any{"resource_ids": []string{lapsing}, "status_list": []int{2}}, "X-Auth-Token", tok)
	clock.step.Store(0)
	if r.status != http.StatusOK {
		t.Fatalf("query: %d %s", r.status, r.body)
	}
	for _, d := range r.json(t)["data"].([]any) {
		if st := d.(map[string]any)["status"]; st != 2.0 {
			t.Errorf("a query for status 2 answers status %v", st)
		}
	}
}
