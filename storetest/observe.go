package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/dayu-emu/dayu"
)

// observer records what a store reports, for testObserve.
type observer struct {
	mu      sync.Mutex
	commits int
	written int
	failed  map[dayu.ErrorCode]int
}

func (o *observer) Committed(n int, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.commits++
	o.written += n
}

func (o *observer) Failed(class dayu.ErrorCode) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.failed[class]++
}

func (o *observer) failures(class dayu.ErrorCode) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.failed[class]
}

// testObserve: the store reports its group commits, a refused purchase as
// a conflict and a read out of time as a timeout, once each, and no
// failure for a caller that went away; its census counts by status.
func testObserve(t *testing.T, h *harness) {
	s, ok := h.store().(*closingStore).Store.(dayu.ObservableStore)
	if !ok {
		t.Fatal("the store is no dayu.ObservableStore: a node on it has no store metrics")
	}
	obs := &observer{failed: map[dayu.ErrorCode]int{}}
	s.Observe(obs)
	o, i := purchase("p1", "e1")
	buy(t, s, o, i)
	o, i = purchase("p1", "e1")
	refused(t, s, o, i, dayu.ECONFLICT)
	if obs.written != 2 || obs.commits < 1 || obs.commits > 2 {
		t.Errorf("%d purchases reported in %d commits, want 2 in 1-2", obs.written, obs.commits)
	}
	if got := obs.failures(dayu.ECONFLICT); got != 1 {
		t.Errorf("conflicts reported: %d, want 1", got)
	}

	late, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	if _, _, err := s.ListInstances(late, "p1", dayu.Page{Limit: 10}, later); dayu.ErrorCodeOf(err) != dayu.ETIMEOUT {
		t.Fatalf("ListInstances past its deadline: %v, want ETIMEOUT", err)
	}
	if got := obs.failures(dayu.ETIMEOUT); got != 1 {
		t.Errorf("timeouts reported: %d, want 1", got)
	}
	gone, leave := context.WithCancel(context.Background())
	leave()
	if _, _, err := s.ListInstances(gone, "p1", dayu.Page{Limit: 10}, later); err == nil {
		t.Fatal("ListInstances for a caller that went away succeeded")
	}
	if got := obs.failures(dayu.EINTERNAL) + obs.failures(dayu.ETIMEOUT) + obs.failures(dayu.EUNAVAILABLE); got != 1 {
		t.Errorf("failures reported after a caller went away: %d, want the 1 timeout only", got)
	}

	c, err := s.Census(ctx(t), later)
	if err != nil {
		t.Fatal(err)
	}
	if c.Instances[dayu.InstanceActive] != 1 || len(c.Instances) != 1 || c.Orders[dayu.OrderCompleted] != 1 || len(c.Orders) != 1 {
		t.Errorf("census at %s: %v, want one active instance and one completed order", later, c)
	}
	if c, err = s.Census(ctx(t), clock); err != nil || c.Instances[dayu.InstancePending] != 1 || c.Orders[dayu.OrderPendingPayment] != 1 {
		t.Errorf("census at the purchase: %v %v, want it pending and pending payment", c, err)
	}
}
