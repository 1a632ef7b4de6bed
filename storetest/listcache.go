package storetest

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/dayu-emu/dayu"
)

// listCacheTests are the cases of a list that a store may serve from
// memory: every write of instances must show on the next page.
var listCacheTests = []struct {
	name string
	fn   func(t *testing.T, h *harness)
}{
	{"ListFollowsEveryWrite", testListFollowsEveryWrite},
	{"StoreWritesClassified", testStoreWritesClassified},
}

// instanceWrites are the methods of dayu.Store that change instances;
// testListFollowsEveryWrite exercises each. otherMethods change no
// instance. testStoreWritesClassified fails for a method in neither list,
// so that a new write of instances is not left out of the list's test.
var (
	instanceWrites = []string{"CreatePurchase", "MoveInstance", "ReplaceState", "Reset", "SaveLifecycle", "SaveUnsubscriptions"}
	otherMethods   = []string{"AddFaultRule", "Close", "CreateNetworkResource", "CreateWorkspace", "DeleteFaultRule",
		"DeleteFaultRules", "DeleteNetworkResource", "DeleteWorkspace", "Document", "DumpState", "EnsureDocument",
		"FaultRules", "FindNetworkResources", "FindOrder", "ListInstances", "NetworkResource", "NetworkResources", "Ping",
		"ProjectInstances", "ProjectOrders", "QueryResources", "Resources", "SaveDocument", "SaveNetworkResource",
		"SaveTestClock", "SaveTimings", "SeedNetworkResources", "TakeFaultHit", "TestClocks", "Timings", "TokenKey", "UpdateWorkspace", "Workspaces"}
)

func testStoreWritesClassified(t *testing.T, _ *harness) {
	st := reflect.TypeFor[dayu.Store]()
	for n := range st.NumMethod() {
		name := st.Method(n).Name
		if slices.Contains(instanceWrites, name) == slices.Contains(otherMethods, name) {
			t.Errorf("dayu.Store.%s is in neither or both of instanceWrites and otherMethods: if it changes instances, "+
				"add it to testListFollowsEveryWrite", name)
		}
	}
}

// testListFollowsEveryWrite: after each write of instances, the next page
// of a list already read (so possibly cached) is what the rows say, read
// by another store on the same data when the backend allows one (another
// node), else by the same store.
func testListFollowsEveryWrite(t *testing.T, h *harness) {
	w := h.store()
	r := w
	if other, err := h.open(); err == nil {
		c := &closer{s: other}
		t.Cleanup(func() { _ = c.close() })
		r = other
	} else {
		t.Logf("one store on the location (%v): the same store writes and reads", err)
	}
	now := at(0)
	// page reads the first page twice (the second may come from a cache)
	// and a page inside it, and checks each against the project's rows.
	page := func(step string) []*dayu.Instance {
		t.Helper()
		rows := must[[]*dayu.Instance](t)(r.ProjectInstances(ctx(t), []string{"p1"}))
		var want []*dayu.Instance
		for _, i := range slices.Backward(rows) {
			if i.GoneAt.IsZero() || i.GoneAt.After(now) {
				want = append(want, i)
			}
		}
		var got []*dayu.Instance
		for range 2 {
			var total int
			got, total = listAt(t, r, "p1", 100, 0, now)
			if total != len(want) || !slices.Equal(ids(got), ids(want)) {
				t.Fatalf("after %s: listed %v (count %d), the rows say %v", step, ids(got), total, ids(want))
			}
			for n := range got {
				same(t, step+": listed instance", got[n], want[n])
			}
		}
		if len(want) > 1 {
			inner, _ := listAt(t, r, "p1", 1, 1, now)
			if !slices.Equal(ids(inner), ids(want[1:2])) {
				t.Errorf("after %s: the page of 1 at offset 1 is %v, want %v", step, ids(inner), ids(want[1:2]))
			}
		}
		return got
	}
	o, a := purchase("p1", "eps-1")
	buy(t, w, o, a)
	o, ext := pkg("p1", "eps-1", a.ID)
	buy(t, w, o, ext)
	page("the first purchases")

	o, b := purchase("p1", "eps-2")
	buy(t, w, o, b)
	if got := page("CreatePurchase"); got[0].ID != b.ID {
		t.Errorf("the newest listed is %s, want the purchase %s", got[0].ID, b.ID)
	}

	renewed := *b
	renewed.SpecCode, renewed.RenewedMonths = "dayu.basic", 2
	saveLifecycle(t, w, dayu.LifecycleWrite{Instance: &renewed, Orders: []*dayu.Order{renewalOrder(b, now, 2)}})
	if got := page("SaveLifecycle"); got[0].SpecCode != "dayu.basic" || got[0].RenewedMonths != 2 {
		t.Errorf("after SaveLifecycle, listed spec %s, %d months renewed", got[0].SpecCode, got[0].RenewedMonths)
	}

	if err := w.MoveInstance(ctx(t), a, "eps-9", now); err != nil {
		t.Fatal(err)
	}
	for _, i := range page("MoveInstance") {
		if i.EpsID != "eps-9" && i.ID != b.ID {
			t.Errorf("after MoveInstance, %s listed in %s, want eps-9", i.ID, i.EpsID)
		}
	}

	gone := *b
	gone.AutoRenewUntil, gone.UnsubscribedAt, gone.GoneAt = now, now, now
	unsubscribe(t, w, []*dayu.Instance{&gone}, []*dayu.Order{{ID: "CS-unsubscribe-1", Type: dayu.OrderUnsubscribe,
		DomainID: b.DomainID, ProjectID: "p1", ResourceID: b.ID, CreatedAt: now, CompletedAt: now}})
	if got := page("SaveUnsubscriptions"); containsID(got, b.ID) {
		t.Errorf("the unsubscribed instance %s, gone at once, is still listed", b.ID)
	}

	_, st := dumped(t, w)
	o, c := purchase("p1", "eps-3")
	buy(t, w, o, c)
	page("a purchase after the dump")
	if err := w.ReplaceState(ctx(t), st, nil); err != nil {
		t.Fatal(err)
	}
	if got := page("ReplaceState"); containsID(got, c.ID) {
		t.Errorf("the state replaced holds %s, bought after its dump", c.ID)
	}

	if err := w.Reset(ctx(t), nil); err != nil {
		t.Fatal(err)
	}
	page("Reset")
	// As many purchases as before the Reset: the list's version must not
	// come back to what it was.
	for k := range 2 {
		o, i := purchase("p1", fmt.Sprintf("eps-new-%d", k))
		buy(t, w, o, i)
	}
	page("the purchases after Reset")
}
