package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/postgres"
	"github.com/dayu-emu/dayu/sqlite"
)

// Bounds of the crash test's load.
const (
	crashWorkers  = 32
	crashMax      = 4000                   // purchases at most (one enterprise project each)
	crashKillAt   = 800 * time.Millisecond // after the load starts
	crashKillAcks = 1000                   // or after this many 200s
	crashDeadline = 5 * time.Second        // the load's own bound
)

// TestCrashLosesNothingAcknowledged kills a node with SIGKILL in the middle
// of a purchase load, restarts it on the same data, and checks that every
// purchase answered 200 is there and whole, and that nothing is half
// written.
func TestCrashLosesNothingAcknowledged(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		data := t.TempDir()
		crashTest(t, []string{"--data", data}, func(ctx context.Context) (dayu.Store, error) {
			return sqlite.Open(ctx, data, sqlite.DefaultOptions())
		})
	})
	t.Run("postgres", func(t *testing.T) {
		dbURL := newPostgresDatabase(t)
		crashTest(t, []string{"--store", dbURL}, func(ctx context.Context) (dayu.Store, error) {
			return postgres.Open(ctx, dbURL, postgres.DefaultConfig())
		})
	})
}

// outcome is what the client saw of one purchase of the load.
type outcome int

const (
	notSent    outcome = iota
	acked              // 200
	refused            // another complete answer
	answerless         // sent, no complete answer: the node died
)

func crashTest(t *testing.T, storeArgs []string, openStore func(context.Context) (dayu.Store, error)) {
	args := append(slices.Clone(storeArgs), "--world", worldFile(t, crashMax))
	a := startNode(t, "A", args)
	token := a.token()

	sent := func(i int) purchase {
		return purchase{Name: fmt.Sprintf("crash-%d", i), Eps: eps(i),
			Tags: []tag{{"load", "crash"}, {"n", strconv.Itoa(i)}, {"empty", ""}}}
	}
	outcomes := make([]outcome, crashMax)
	answers := make([]bought, crashMax)
	var errs errorList
	var next, acks atomic.Int64
	killed := make(chan struct{})
	var wg sync.WaitGroup
	loadStart := time.Now()
	for range crashWorkers {
		wg.Go(func() {
			for time.Since(loadStart) < crashDeadline {
				i := int(next.Add(1)) - 1
				if i >= crashMax {
					return
				}
				got, r, err := a.buy(token, sent(i))
				switch {
				case err != nil:
					outcomes[i] = answerless
					select {
					case <-killed:
					default:
						errs.add("purchase %d before the kill: %v", i, err)
					}
					return
				case r.status == http.StatusOK:
					outcomes[i], answers[i] = acked, got
					acks.Add(1)
				default:
					outcomes[i] = refused
					errs.add("purchase %d: %s", i, r)
				}
			}
		})
	}
	// Kill at crashKillAt, or earlier once crashKillAcks purchases are
	// acknowledged (the checks below stay quick on a fast machine).
	for time.Since(loadStart) < crashKillAt && acks.Load() < crashKillAcks {
		time.Sleep(5 * time.Millisecond)
	}
	killedAfter := time.Since(loadStart)
	close(killed)
	a.kill()
	wg.Wait()
	errs.report(t)
	if t.Failed() {
		t.FailNow()
	}
	count := map[outcome]int{}
	for _, o := range outcomes {
		count[o]++
	}
	t.Logf("killed %s into the load: %d acknowledged, %d without an answer, %d not sent", killedAfter.Round(time.Millisecond), count[acked], count[answerless], count[notSent])
	if count[acked] == 0 {
		t.Fatal("no purchase acknowledged before the kill: the load did not run")
	}
	if count[notSent] == 0 {
		t.Logf("warning: the load finished before the kill; raise crashMax")
	}

	restarting := time.Now()
	b := a.restart()
	t.Logf("restarted in %s", time.Since(restarting).Round(time.Millisecond))
	checking := time.Now()
	items := b.listAll(token) // the token from before the crash
	listed := byResource(t, b.name, items)
	if len(listed) < count[acked] {
		t.Errorf("%d instances listed after the crash, fewer than the %d acknowledged", len(listed), count[acked])
	}
	t.Logf("after the restart: %d listed, %d of them committed without an answer", len(listed), len(listed)-count[acked])
	// Every acknowledged purchase is listed, whole.
	for i, o := range outcomes {
		if o != acked {
			continue
		}
		p, ack := sent(i), answers[i]
		it, ok := listed[ack.ResourceID]
		switch {
		case !ok:
			t.Errorf("purchase %d (%s, order %s) got 200 before the crash and is not listed after it", i, ack.ResourceID, ack.OrderID)
		case it.ResourceName != p.Name || it.EpsID != p.Eps || it.OrderID != ack.OrderID:
			t.Errorf("purchase %d: listed as %+v, bought %+v, answered %+v", i, it, p, ack)
		}
	}
	// Every listed instance is one the load sent (an extra one is a commit
	// whose answer was lost), and whole.
	byEps := map[string]int{}
	for i := range crashMax {
		byEps[eps(i)] = i
	}
	for id, it := range listed {
		i, ok := byEps[it.EpsID]
		switch {
		case !ok:
			t.Errorf("listed %s in enterprise project %q, which the load never used", id, it.EpsID)
		case outcomes[i] == acked:
		case outcomes[i] != answerless:
			t.Errorf("listed %s for purchase %d, whose outcome was %d (only an unanswered purchase may be committed unacknowledged)", id, i, outcomes[i])
		case it.ResourceName != sent(i).Name:
			t.Errorf("unacknowledged %s: name %q, sent %q", id, it.ResourceName, sent(i).Name)
		}
	}
	// Every listed instance has its order.
	checkOrders(t, b, token, items)
	if t.Failed() {
		t.FailNow()
	}

	t.Logf("checked through the API in %s", time.Since(checking).Round(time.Millisecond))
	// The tags are not in any answer of the API (the list has no tags
	// field): read them from the store once the node has stopped.
	if code := b.stop(); code != 0 {
		t.Errorf("exit code after SIGTERM = %d, want 0", code)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	store, err := openStore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	stored, total, err := store.ListInstances(ctx, qs.ProjectID, dayu.Page{Limit: crashMax + 10}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if total != len(listed) || len(stored) != total {
		t.Errorf("store holds %d instances (%d read), the API listed %d", total, len(stored), len(listed))
	}
	for _, in := range stored {
		i, ok := byEps[in.EpsID]
		if !ok {
			t.Errorf("stored instance %s in %q", in.ID, in.EpsID)
			continue
		}
		var want []dayu.Tag
		for _, tg := range sent(i).Tags {
			want = append(want, dayu.Tag{Key: tg.Key, Value: tg.Value})
		}
		if !slices.Equal(in.Tags, want) || in.Name != sent(i).Name {
			t.Errorf("stored instance %s: name %q, tags %v; sent %q, %v", in.ID, in.Name, in.Tags, sent(i).Name, want)
		}
	}
}

// checkOrders checks, 16 at a time, that every listed instance's order
// answers 200, is that order, and is on its way (6, 3) or complete (5).
func checkOrders(t *testing.T, n *node, token string, items []listItem) {
	t.Helper()
	var errs errorList
	jobs := make(chan listItem)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for it := range jobs {
				o, r, err := n.orderDetails(token, it.OrderID)
				switch {
				case err != nil || r.status != http.StatusOK:
					errs.add("instance %s: its order %s: %v %s", it.ResourceID, it.OrderID, err, r)
				case o.OrderInfo.OrderID != it.OrderID || o.TotalCount != 1:
					errs.add("instance %s: order details %+v", it.ResourceID, o)
				case o.OrderInfo.Status != 5 && o.OrderInfo.Status != 3 && o.OrderInfo.Status != 6:
					errs.add("instance %s: order %s has status %d", it.ResourceID, it.OrderID, o.OrderInfo.Status)
				}
			}
		})
	}
	for _, it := range items {
		jobs <- it
	}
	close(jobs)
	wg.Wait()
	errs.report(t)
}
