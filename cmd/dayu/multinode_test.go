package main

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dayu-emu/dayu/internal/pgtest"
)

// newPostgresDatabase creates an empty database on the server of
// DAYU_TEST_POSTGRES_URL, dropped when the test ends (after the nodes
// started later are killed: cleanups run last in, first out), and returns
// its URL. The test is skipped without DAYU_TEST_POSTGRES_URL.
func newPostgresDatabase(t *testing.T) string {
	t.Helper()
	server := pgtest.ServerURL(t)
	if !strings.HasPrefix(server, "postgres://") && !strings.HasPrefix(server, "postgresql://") {
		t.Fatalf("%s: dayu serve --store takes only a postgres:// URL, got %q", pgtest.URLEnv, server)
	}
	return pgtest.NewDatabase(t)
}

// TestTwoNodesOnePostgres runs two processes on one PostgreSQL database:
// they start at the same time, trust each other's tokens, keep the
// one-instance-per-enterprise-project rule between them, see the same
// instances and lifecycle, and a node killed mid-burst loses none of its
// acknowledged purchases.
func TestTwoNodesOnePostgres(t *testing.T) {
	dbURL := newPostgresDatabase(t)
	world := worldFile(t, 1000)
	args := []string{"--store", dbURL, "--world", world, "--admin-token", adminToken}

	// Both nodes start at once: the migrations and the first world and
	// token key writes race.
	var nodes [2]*node
	var startErrs [2]error
	var wg sync.WaitGroup
	for i, name := range []string{"A", "B"} {
		wg.Go(func() { nodes[i], startErrs[i] = launch(t, name, args, nil) })
	}
	wg.Wait()
	for _, err := range startErrs {
		if err != nil {
			t.Fatal(err)
		}
	}
	a, b := nodes[0], nodes[1]

	tokenA, tokenB := a.token(), b.token()
	for _, c := range []struct {
		n     *node
		token string
		from  string
	}{{b, tokenA, "A"}, {a, tokenB, "B"}} {
		if r := c.n.must("GET", listPath(), nil, "X-Auth-Token", c.token); r.status != http.StatusOK {
			t.Fatalf("a token issued by %s, used on %s: %s", c.from, c.n.name, r)
		}
	}
	both := []*node{a, b}
	tokens := map[*node]string{a: tokenA, b: tokenB}

	// (a) The same enterprise project bought 8 times on each node at once:
	// exactly one 200, every other answer 400 DAYU.4402.
	var ok []bought
	{
		var mu sync.Mutex
		var errs errorList
		start := make(chan struct{})
		var wg sync.WaitGroup
		for _, n := range both {
			for g := range 8 {
				wg.Go(func() {
					<-start
					got, r, err := n.buy(tokens[n], purchase{Name: fmt.Sprintf("same-%s-%d", n.name, g), Eps: eps(0)})
					switch {
					case err != nil:
						errs.add("same eps on %s: %v", n.name, err)
					case r.status == http.StatusOK:
						mu.Lock()
						ok = append(ok, got)
						mu.Unlock()
					case r.status != http.StatusBadRequest || r.errorCode() != "DAYU.4402":
						errs.add("same eps on %s: %s, want 200 or 400 DAYU.4402", n.name, r)
					}
				})
			}
		}
		close(start)
		wg.Wait()
		errs.report(t)
		if len(ok) != 1 {
			t.Fatalf("(a) 16 purchases of one enterprise project on two nodes: %d answered 200, want exactly 1: %+v", len(ok), ok)
		}
	}

	// (b) 180 purchases of distinct enterprise projects, 8 goroutines per
	// node: all 200, and both nodes list each exactly once.
	const distinct = 180
	acked := map[string]purchase{ok[0].ResourceID: {Name: "", Eps: eps(0)}}
	{
		var mu sync.Mutex
		var errs errorList
		jobs := make(chan int, distinct)
		for i := 1; i <= distinct; i++ {
			jobs <- i
		}
		close(jobs)
		var wg sync.WaitGroup
		for _, n := range both {
			for range 8 {
				wg.Go(func() {
					for i := range jobs {
						p := purchase{Name: fmt.Sprintf("distinct-%d", i), Eps: eps(i), Tags: []tag{{"node", n.name}}}
						got, r, err := n.buy(tokens[n], p)
						if err != nil || r.status != http.StatusOK {
							errs.add("distinct purchase %d on %s: %v %s", i, n.name, err, r)
							continue
						}
						mu.Lock()
						acked[got.ResourceID] = p
						mu.Unlock()
					}
				})
			}
		}
		wg.Wait()
		errs.report(t)
		if len(acked) != distinct+1 {
			t.Fatalf("(b) %d distinct resource ids acknowledged, want %d", len(acked), distinct+1)
		}
		for _, n := range both {
			listed := byResource(t, n.name, n.listAll(tokens[n]))
			if len(listed) != len(acked) {
				t.Errorf("(b) %s lists %d instances, want %d", n.name, len(listed), len(acked))
			}
			seenEps := map[string]string{}
			for id, it := range listed {
				if other, dup := seenEps[it.EpsID]; dup {
					t.Errorf("(b) %s: enterprise project %s holds %s and %s", n.name, it.EpsID, other, id)
				}
				seenEps[it.EpsID] = id
			}
			for id, p := range acked {
				it, ok := listed[id]
				switch {
				case !ok:
					t.Errorf("(b) %s does not list %s (eps %s), acknowledged with 200", n.name, id, p.Eps)
				case it.EpsID != p.Eps || (p.Name != "" && it.ResourceName != p.Name):
					t.Errorf("(b) %s lists %+v, bought %+v", n.name, it, p)
				}
			}
		}
		if t.Failed() {
			t.FailNow()
		}
	}

	// (c) The lifecycle: 2 s to provision and to delete, set on both nodes
	// (each holds the timings in memory and only re-reads the stored ones
	// from time to time).
	{
		timings := `{"provisioning_seconds": 2, "deletion_seconds": 2, "grace_seconds": 3600, "retention_seconds": 3600}`
		for _, n := range both {
			if r := n.must("PUT", "/_dayu/timings", timings, "Authorization", admin); r.status != http.StatusOK {
				t.Fatalf("(c) PUT /_dayu/timings on %s: %s", n.name, r)
			}
		}
		p := purchase{Name: "lifecycle", Eps: eps(900)}
		got := a.mustBuy(tokenA, p)
		bought := time.Now()
		// Poll both nodes until the order is complete on both; the status
		// never goes back, and the nodes agree once it is 5.
		last := map[*node]int{}
		for {
			done := true
			for _, n := range both {
				o, r, err := n.orderDetails(tokens[n], got.OrderID)
				if err != nil || r.status != http.StatusOK {
					t.Fatalf("(c) order details on %s: %v %s", n.name, err, r)
				}
				st := o.OrderInfo.Status
				if rank(st) < rank(last[n]) {
					t.Errorf("(c) %s: order status went from %d to %d", n.name, last[n], st)
				}
				if st != 5 && st != 3 && st != 6 {
					t.Errorf("(c) %s: order status %d", n.name, st)
				}
				if o.TotalCount != 1 || o.OrderInfo.OrderID != got.OrderID {
					t.Errorf("(c) %s: order details %+v", n.name, o)
				}
				last[n] = st
				done = done && st == 5
			}
			if done {
				break
			}
			if time.Since(bought) > 10*time.Second {
				t.Fatalf("(c) order not complete on both nodes 10 s after a purchase with 2 s provisioning: %v", last)
			}
			time.Sleep(100 * time.Millisecond)
		}
		if d := time.Since(bought); d < 1500*time.Millisecond {
			t.Errorf("(c) order complete %s after the purchase, with 2 s provisioning", d)
		}
		for _, n := range both {
			it, ok := byResource(t, n.name, n.listAll(tokens[n]))[got.ResourceID]
			if !ok || it.Status != 2 {
				t.Errorf("(c) %s: instance after provisioning: %+v (listed %v), want status 2", n.name, it, ok)
			}
			// One resource for the order, on each node.
			r := n.must("POST", "/v2/orders/suscriptions/resources/query", map[string]any{"order_id": got.OrderID}, "X-Auth-Token", tokens[n])
			var res struct {
				TotalCount int `json:"total_count"`
				Data       []struct {
					ResourceID string `json:"resource_id"`
				} `json:"data"`
			}
			if r.status != http.StatusOK || r.decode(&res) != nil || res.TotalCount != 1 || len(res.Data) != 1 || res.Data[0].ResourceID != got.ResourceID {
				t.Errorf("(c) %s: resources of order %s: %s, want exactly %s", n.name, got.OrderID, r, got.ResourceID)
			}
		}

		// Unsubscribe on B; a second unsubscription on A is refused: the
		// transition happened once.
		unsub := func(n *node) (orders []string, failed int) {
			r := n.must("POST", "/v2/orders/subscriptions/resources/unsubscribe",
				map[string]any{"resource_ids": []string{got.ResourceID}, "unsubscribe_type": 1}, "X-Auth-Token", tokens[n])
			var res struct {
				OrderIDs []string         `json:"order_ids"`
				Failed   []map[string]any `json:"fail_resource_infos"`
			}
			if r.status != http.StatusOK || r.decode(&res) != nil {
				t.Fatalf("(c) unsubscribe on %s: %s", n.name, r)
			}
			return res.OrderIDs, len(res.Failed)
		}
		orders, failed := unsub(b)
		unsubscribed := time.Now()
		if len(orders) != 1 || failed != 0 {
			t.Fatalf("(c) unsubscribe on B: orders %v, %d failed; want 1 order", orders, failed)
		}
		if again, failed := unsub(a); len(again) != 0 || failed != 1 {
			t.Errorf("(c) second unsubscribe on A: orders %v, %d failed; want none and 1 failed", again, failed)
		}
		for _, n := range both {
			if it, ok := byResource(t, n.name, n.listAll(tokens[n]))[got.ResourceID]; ok && it.Status != 6 {
				t.Errorf("(c) %s: instance right after the unsubscription has status %d, want 6", n.name, it.Status)
			}
		}
		// Gone from both lists after the deletion delay; the unsubscribe
		// order completes on both.
		for _, n := range both {
			for {
				_, listed := byResource(t, n.name, n.listAll(tokens[n]))[got.ResourceID]
				o, r, err := n.orderDetails(tokens[n], orders[0])
				if err != nil || r.status != http.StatusOK {
					t.Fatalf("(c) %s: unsubscribe order details: %v %s", n.name, err, r)
				}
				if !listed && o.OrderInfo.Status == 5 {
					break
				}
				if time.Since(unsubscribed) > 10*time.Second {
					t.Fatalf("(c) %s: 10 s after an unsubscription with 2 s deletion: listed %v, order status %d", n.name, listed, o.OrderInfo.Status)
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
		if d := time.Since(unsubscribed); d < 1500*time.Millisecond {
			t.Errorf("(c) gone %s after the unsubscription, with 2 s deletion", d)
		}
		// The enterprise project is free again, once.
		got2 := b.mustBuy(tokenB, purchase{Name: "lifecycle-again", Eps: p.Eps})
		if _, r, err := a.buy(tokenA, purchase{Name: "lifecycle-thrice", Eps: p.Eps}); err != nil || r.errorCode() != "DAYU.4402" {
			t.Errorf("(c) third purchase of %s on A: %v %s, want 400 DAYU.4402", p.Eps, err, r)
		}
		acked[got2.ResourceID] = purchase{Name: "lifecycle-again", Eps: p.Eps}
	}

	// (d) A burst on A (16 goroutines) and B (4); A is killed with SIGKILL
	// after its 40th acknowledgement. Every 200 A sent is listed by B.
	{
		var mu sync.Mutex
		ackedA := map[string]bought{}
		var errs errorList
		var nextEps atomic.Int64
		nextEps.Store(200)
		const lastEps = 899 // 900 is the lifecycle's
		var acks atomic.Int64
		killNow := make(chan struct{})
		var killOnce sync.Once
		stopAll := make(chan struct{})
		var wg sync.WaitGroup
		worker := func(n *node) {
			for {
				select {
				case <-stopAll:
					return
				default:
				}
				i := int(nextEps.Add(1))
				if i > lastEps {
					return
				}
				p := purchase{Name: fmt.Sprintf("burst-%d", i), Eps: eps(i)}
				got, r, err := n.buy(tokens[n], p)
				if n == a && err != nil {
					select {
					case <-killNow: // A is dead: an answer lost, and maybe a commit
					default:
						errs.add("(d) burst on A before the kill: %v", err)
					}
					return
				}
				if err != nil || r.status != http.StatusOK {
					errs.add("(d) burst on %s: %v %s", n.name, err, r)
					continue
				}
				mu.Lock()
				acked[got.ResourceID] = p
				if n == a {
					ackedA[got.ResourceID] = got
				}
				mu.Unlock()
				if n == a && acks.Add(1) == 40 {
					killOnce.Do(func() { close(killNow) })
				}
			}
		}
		for range 16 {
			wg.Go(func() { worker(a) })
		}
		for range 4 {
			wg.Go(func() { worker(b) })
		}
		select {
		case <-killNow:
		case <-time.After(10 * time.Second):
			t.Error("(d) A did not acknowledge 40 purchases in 10 s")
		}
		killedAt := time.Now()
		a.kill()
		time.Sleep(200 * time.Millisecond) // B goes on alone for a moment
		close(stopAll)
		wg.Wait()
		errs.report(t)
		if a.running() {
			t.Fatal("(d) A survived SIGKILL")
		}
		t.Logf("(d) A killed after %d acknowledgements (%d purchases started in all); %s to stop the burst", acks.Load(), nextEps.Load()-200, time.Since(killedAt))

		listed := byResource(t, b.name, b.listAll(tokenB))
		for id, got := range ackedA {
			it, ok := listed[id]
			if !ok {
				t.Errorf("(d) A answered 200 for %s (order %s), B does not list it", id, got.OrderID)
				continue
			}
			if it.OrderID != got.OrderID {
				t.Errorf("(d) %s: listed with order %s, A answered %s", id, it.OrderID, got.OrderID)
			}
		}
		// Every acknowledged purchase of the whole test is there; an extra
		// one (its answer lost when A died) must be a burst purchase and
		// whole: its order exists.
		for id, p := range acked {
			if it, ok := listed[id]; !ok {
				t.Errorf("(d) acknowledged %s (eps %s) not listed by B", id, p.Eps)
			} else if ok && it.EpsID != p.Eps {
				t.Errorf("(d) %s listed in %s, bought in %s", id, it.EpsID, p.Eps)
			}
		}
		for id, it := range listed {
			if _, ok := acked[id]; ok {
				continue
			}
			if !strings.HasPrefix(it.ResourceName, "burst-") {
				t.Errorf("(d) B lists %+v, never acknowledged", it)
			}
			if _, r, err := b.orderDetails(tokenB, it.OrderID); err != nil || r.status != http.StatusOK {
				t.Errorf("(d) unacknowledged %s (a commit whose answer was lost) has no order: %v %s", id, err, r)
			}
		}
		// B still serves purchases.
		b.mustBuy(tokenB, purchase{Name: "after-the-kill", Eps: eps(950)})
	}
}

// rank orders BSS order statuses along the way a purchase goes: 6 (pending
// payment), 3 (processing), 5 (complete).
func rank(status int) int {
	switch status {
	case 6:
		return 1
	case 3:
		return 2
	case 5:
		return 3
	}
	return 0
}

// TestFaultRuleOnTwoNodes: a fault rule added through one node's admin API
// hits a request on the other node within the follow interval, and its
// count holds across both.
func TestFaultRuleOnTwoNodes(t *testing.T) {
	dbURL := newPostgresDatabase(t)
	args := []string{"--store", dbURL, "--world", worldFile(t, 200), "--admin-token", adminToken}
	a := startNode(t, "A", args)
	b := startNode(t, "B", args)
	if r := a.must("POST", "/_dayu/faults", map[string]any{"operation": "PayForDgcOneKey", "count": 2,
		"error": map[string]any{"status": 503}}, "Authorization", admin); r.status != http.StatusCreated {
		t.Fatalf("add rule on A: %s", r)
	}
	tok := b.token()
	deadline := time.Now().Add(10 * time.Second)
	for k := 0; ; k++ {
		_, r, err := b.buy(tok, purchase{Name: "faulty", Eps: eps(k)})
		if err != nil {
			t.Fatal(err)
		}
		if r.status == http.StatusServiceUnavailable {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("B never applied A's rule: last purchase %s", r)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// One hit was B's; the other is left for either node, once.
	var hits int
	for k, n := range []*node{a, b, a, b} {
		_, r, err := n.buy(n.token(), purchase{Name: "after", Eps: eps(150 + k)})
		if err != nil {
			t.Fatal(err)
		}
		if r.status == http.StatusServiceUnavailable {
			hits++
		}
	}
	if hits != 1 {
		t.Errorf("after B's hit, %d of 4 purchases on both nodes were hit, want the 1 left of the count", hits)
	}
}

// TestTwoNodesListAtOnce: the list's count is kept in the purchases'
// transactions (in shards that each node's writers pick), not read from the
// project: a purchase acknowledged by one node is on the other node's first
// page at once, and both nodes' counts say the same, purchase after
// purchase, whichever node takes it. Then, with B's first page in its list
// cache, each kind of write on A (a purchase, an enterprise project move,
// an unsubscription) is on B's next page at once.
func TestTwoNodesListAtOnce(t *testing.T) {
	dbURL := newPostgresDatabase(t)
	args := []string{"--store", dbURL, "--world", worldFile(t, 42), "--admin-token", adminToken}
	a, err := launch(t, "A", args, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := launch(t, "B", args, nil)
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[*node]string{a: a.token(), b: b.token()}
	first := func(n *node) (int, listItem) {
		t.Helper()
		r := n.must("GET", listPath()+"?limit=1&offset=0", nil, "X-Auth-Token", tokens[n])
		var page struct {
			Count int        `json:"count"`
			Items []listItem `json:"commodity_orders"`
		}
		if r.status != http.StatusOK || r.decode(&page) != nil {
			t.Fatalf("%s: list: %s", n.name, r)
		}
		if len(page.Items) == 0 {
			return page.Count, listItem{}
		}
		return page.Count, page.Items[0]
	}
	for k := range 40 {
		buyer, reader := a, b
		if k%3 == 1 {
			buyer, reader = b, a
		}
		got := buyer.mustBuy(tokens[buyer], purchase{Name: fmt.Sprintf("at-once-%d", k), Eps: eps(k)})
		count, newest := first(reader)
		if count != k+1 || newest.ResourceID != got.ResourceID {
			t.Fatalf("purchase %d on %s: %s lists count %d, newest %s; want %d, %s", k, buyer.name, reader.name, count, newest.ResourceID, k+1, got.ResourceID)
		}
		if other, _ := first(buyer); other != count {
			t.Fatalf("purchase %d: %s counts %d, %s counts %d", k, buyer.name, other, reader.name, count)
		}
	}

	// B reads its first page twice before each write on A: the second read
	// is of B's cache entry, checked against the first, and the write must
	// be on the read after it.
	cached := func(step string) {
		t.Helper()
		c1, i1 := first(b)
		if c2, i2 := first(b); c2 != c1 || i2 != i1 {
			t.Fatalf("before %s: B lists %d, %+v, then %d, %+v with no write between", step, c1, i1, c2, i2)
		}
	}
	cached("a purchase")
	bought := a.mustBuy(tokens[a], purchase{Name: "after-cache", Eps: eps(40)})
	if count, newest := first(b); count != 41 || newest.ResourceID != bought.ResourceID || newest.EpsID != eps(40) {
		t.Fatalf("after a purchase on A: B lists count %d, newest %+v; want 41, %s in %s", count, newest, bought.ResourceID, eps(40))
	}
	cached("a move")
	if r := a.must("POST", "/v1.0/enterprise-projects/"+eps(41)+"/resources-migrate",
		map[string]any{"resource_type": "dayu-instance", "resource_id": bought.ResourceID, "project_id": qs.ProjectID},
		"X-Auth-Token", tokens[a]); r.status != http.StatusNoContent {
		t.Fatalf("move on A: %s", r)
	}
	if _, newest := first(b); newest.ResourceID != bought.ResourceID || newest.EpsID != eps(41) {
		t.Fatalf("after a move on A: B lists %+v, want %s in %s", newest, bought.ResourceID, eps(41))
	}
	cached("an unsubscription")
	if r := a.must("POST", "/v2/orders/subscriptions/resources/unsubscribe",
		map[string]any{"resource_ids": []string{bought.ResourceID}, "unsubscribe_type": 1}, "X-Auth-Token", tokens[a]); r.status != http.StatusOK {
		t.Fatalf("unsubscribe on A: %s", r)
	}
	// Deleting (6) until the deletion delay (3 s) is over.
	if _, newest := first(b); newest.ResourceID != bought.ResourceID || newest.Status != 6 {
		t.Fatalf("after an unsubscription on A: B lists %+v, want %s with status 6", newest, bought.ResourceID)
	}
}
