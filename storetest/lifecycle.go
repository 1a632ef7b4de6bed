package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/dayu-emu/dayu"
)

// lifecycleTests are the cases of the instance's life after its purchase
// (dayu.LifecycleStore) and of workspaces (dayu.WorkspaceStore).
var lifecycleTests = []struct {
	name string
	fn   func(t *testing.T, h *harness)
}{
	{"SaveLifecycle", testSaveLifecycle},
	{"SaveLifecycleStale", testSaveLifecycleStale},
	{"SettleOrder", testSettleOrder},
	{"ProjectInstancesAndOrders", testProjectInstancesAndOrders},
	{"MoveInstance", testMoveInstance},
	{"RaceTwoMovesIntoOneEnterpriseProject", testRaceTwoMoves},
	{"RaceRenewalUnsubscribe", testRaceRenewalUnsubscribe},
	{"RaceSpecChangeRenewal", testRaceSpecChangeRenewal},
	{"RaceRenewalOfGoneInstancePurchase", testRaceRenewalPurchase},
	{"Workspaces", testWorkspaces},
	{"WorkspacesRestartAndReset", testWorkspacesRestartAndReset},
}

// at is a time of the suite after every purchase is in effect, in
// milliseconds and UTC as the store keeps times.
func at(d time.Duration) time.Time { return later.Add(d).UTC().Truncate(time.Millisecond) }

// renewalOrder is a renewal order of i, as dayu.Service places one.
func renewalOrder(i *dayu.Instance, now time.Time, months int) *dayu.Order {
	return &dayu.Order{ID: "CS-renew-" + uuid.NewString()[:8], Type: dayu.OrderRenewal, DomainID: i.DomainID, ProjectID: i.ProjectID,
		ResourceID: i.ID, CreatedAt: now, CompletedAt: now, PeriodType: dayu.PeriodMonth, PeriodNum: months}
}

func saveLifecycle(t *testing.T, s dayu.Store, w dayu.LifecycleWrite) {
	t.Helper()
	if err := s.SaveLifecycle(ctx(t), w); err != nil {
		t.Fatalf("SaveLifecycle: %v", err)
	}
}

// race runs the calls at once and returns their errors, in order.
func race(calls ...func() error) []error {
	errs := make([]error, len(calls))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for k, call := range calls {
		wg.Go(func() {
			<-start
			errs[k] = call()
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// must returns what a store read found, failing the test if it failed.
func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// findOrder returns the domain's order, failing the test if it is not
// stored.
func findOrder(t *testing.T, s dayu.Store, domain, id string) *dayu.Order {
	t.Helper()
	return must[*dayu.Order](t)(s.FindOrder(ctx(t), domain, id))
}

// notStored checks that none of the orders was stored.
func notStored(t *testing.T, s dayu.Store, orders ...*dayu.Order) {
	t.Helper()
	for _, o := range orders {
		if _, err := s.FindOrder(ctx(t), o.DomainID, o.ID); dayu.ErrorCodeOf(err) != dayu.ENOTFOUND {
			t.Errorf("FindOrder(%s) = %v, want ENOTFOUND: a refused change stored its order", o.ID, err)
		}
	}
}

// testSaveLifecycle: every lifecycle field and every order field is stored
// as given, the instance's Rev counts the change, and a restart keeps it.
func testSaveLifecycle(t *testing.T, h *harness) {
	s := h.store()
	o, i := purchase("p1", "eps-1")
	noRenew(i)
	buy(t, s, o, i)
	now := at(0)
	i.RenewedMonths, i.AutoRenewals, i.SettledAt = 14, 2, now
	i.NextSpecCode, i.NextProductID, i.NextSpecAt = "dayu.nb.enterprise", "OFFI740586375358963721", now.Add(time.Minute)
	i.SpecCode, i.ProductID = "dayu.basic", "OFFI740586375358963718"
	i.AutoRenewUntil, i.GoneAt = now, now.Add(90*24*time.Hour)
	renewal := renewalOrder(i, now, 2)
	held := renewalOrder(i, now, 3)
	held.Hold = dayu.OrderPendingPayment
	change := &dayu.Order{ID: "CS-change-1", Type: dayu.OrderChange, DomainID: i.DomainID, ProjectID: i.ProjectID,
		ResourceID: i.ID, CreatedAt: now, CompletedAt: now.Add(time.Minute), SpecCode: "dayu.nb.enterprise"}
	auto := &dayu.Order{ID: i.OrderID + "-R1", Type: dayu.OrderRenewal, DomainID: i.DomainID, ProjectID: i.ProjectID,
		ResourceID: i.ID, CreatedAt: now.Add(-time.Hour), CompletedAt: now.Add(-time.Hour), PeriodType: dayu.PeriodYear, PeriodNum: 2}
	saveLifecycle(t, s, dayu.LifecycleWrite{Instance: i, Orders: []*dayu.Order{auto, renewal, held, change}})
	if i.Rev != 1 {
		t.Errorf("Rev after SaveLifecycle = %d, want 1", i.Rev)
	}
	check := func(when string) {
		same(t, when+": the instance", find(t, s, i.DomainID, i.ID), i)
		for _, want := range []*dayu.Order{auto, renewal, held, change} {
			same(t, when+": order "+want.ID, findOrder(t, s, want.DomainID, want.ID), want)
		}
	}
	check("after SaveLifecycle")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = h.store()
	check("after a restart")
}

// testSaveLifecycleStale: a change computed from an older Rev, of an
// unsubscribed instance, or of a gone instance whose enterprise project was
// taken back, is refused whole.
func testSaveLifecycleStale(t *testing.T, h *harness) {
	s := h.store()
	o, i := purchase("p1", "eps-1")
	buy(t, s, o, i)
	stale := *find(t, s, i.DomainID, i.ID)
	first := *find(t, s, i.DomainID, i.ID)
	first.RenewedMonths = 1
	saveLifecycle(t, s, dayu.LifecycleWrite{Instance: &first, Orders: []*dayu.Order{renewalOrder(&first, at(0), 1)}})
	stale.RenewedMonths = 7
	late := renewalOrder(&stale, at(0), 7)
	if err := s.SaveLifecycle(ctx(t), dayu.LifecycleWrite{Instance: &stale, Orders: []*dayu.Order{late}}); dayu.ErrorCodeOf(err) != dayu.ECONFLICT {
		t.Fatalf("SaveLifecycle from a stale Rev = %v, want ECONFLICT", err)
	}
	notStored(t, s, late)
	if got := find(t, s, i.DomainID, i.ID); got.RenewedMonths != 1 || got.Rev != 1 {
		t.Errorf("after the stale change: renewed months %d, rev %d; want 1, 1", got.RenewedMonths, got.Rev)
	}

	ended := *find(t, s, i.DomainID, i.ID)
	ended.AutoRenewUntil, ended.UnsubscribedAt, ended.GoneAt = at(0), at(0), at(time.Minute)
	if _, err := s.SaveUnsubscriptions(ctx(t), []*dayu.Instance{&ended}, nil); err != nil {
		t.Fatal(err)
	}
	after := *find(t, s, i.DomainID, i.ID)
	after.RenewedMonths = 9
	if err := s.SaveLifecycle(ctx(t), dayu.LifecycleWrite{Instance: &after}); dayu.ErrorCodeOf(err) != dayu.ECONFLICT {
		t.Errorf("SaveLifecycle of an unsubscribed instance = %v, want ECONFLICT", err)
	}
}

// testSettleOrder: an order pending payment is paid or cancelled once; a
// second settling is refused.
func testSettleOrder(t *testing.T, h *harness) {
	s := h.store()
	o, i := purchase("p1", "eps-1")
	buy(t, s, o, i)
	pending := renewalOrder(i, at(0), 1)
	pending.Hold = dayu.OrderPendingPayment
	saveLifecycle(t, s, dayu.LifecycleWrite{Orders: []*dayu.Order{pending}})
	paid := *pending
	paid.Hold, paid.PaidAt, paid.CompletedAt = 0, at(time.Hour), at(time.Hour)
	fresh := *find(t, s, i.DomainID, i.ID)
	fresh.RenewedMonths = 1
	saveLifecycle(t, s, dayu.LifecycleWrite{Instance: &fresh, Settle: &paid})
	same(t, "the paid order", findOrder(t, s, i.DomainID, pending.ID), &paid)

	cancelled := *pending
	cancelled.Hold = dayu.OrderCancelled
	again := *find(t, s, i.DomainID, i.ID)
	again.RenewedMonths = 2
	if err := s.SaveLifecycle(ctx(t), dayu.LifecycleWrite{Instance: &again, Settle: &cancelled}); dayu.ErrorCodeOf(err) != dayu.ECONFLICT {
		t.Fatalf("settling a paid order again = %v, want ECONFLICT", err)
	}
	same(t, "the paid order after the refused cancel", findOrder(t, s, i.DomainID, pending.ID), &paid)
	if got := find(t, s, i.DomainID, i.ID); got.RenewedMonths != 1 {
		t.Errorf("the refused settling changed the instance: renewed months %d, want 1", got.RenewedMonths)
	}
}

// testProjectInstancesAndOrders: the projects' instances and packages,
// gone or not, oldest first, and the domain's orders about them.
func testProjectInstancesAndOrders(t *testing.T, h *harness) {
	s := h.store()
	o1, a := purchase("p1", "eps-1")
	buy(t, s, o1, a)
	o2, ext := pkg("p1", "eps-1", a.ID)
	buy(t, s, o2, ext)
	o3, b := purchase("p2", "eps-1") // another project, of another domain
	buy(t, s, o3, b)
	o4, gone := purchase("p1", "eps-2")
	noRenew(gone)
	buy(t, s, o4, gone)
	r := renewalOrder(a, at(0), 1)
	saveLifecycle(t, s, dayu.LifecycleWrite{Orders: []*dayu.Order{r}})

	got, err := s.ProjectInstances(ctx(t), []string{"p1"})
	if err != nil {
		t.Fatal(err)
	}
	if g, want := ids(got), []string{a.ID, ext.ID, gone.ID}; fmt.Sprint(g) != fmt.Sprint(want) {
		t.Errorf("ProjectInstances(p1) = %v, want %v", g, want)
	}
	got, err = s.ProjectInstances(ctx(t), []string{"p1", "p2"})
	if err != nil || len(got) != 4 {
		t.Errorf("ProjectInstances(p1, p2): %d instances, %v; want 4", len(got), err)
	}
	orders, err := s.ProjectOrders(ctx(t), a.DomainID, []string{"p1", "p2"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{o1.ID: true, o2.ID: true, o4.ID: true, r.ID: true}
	if len(orders) != len(want) {
		t.Errorf("ProjectOrders: %d orders, want %d (not those of another domain)", len(orders), len(want))
	}
	for _, o := range orders {
		if !want[o.ID] {
			t.Errorf("ProjectOrders returned %s of domain %s", o.ID, o.DomainID)
		}
	}
}

// testMoveInstance: an instance moves with its packages; into an
// enterprise project that holds an instance it is refused and nothing
// changes; one held by a gone instance is taken back; a gone instance
// does not move.
func testMoveInstance(t *testing.T, h *harness) {
	s := h.store()
	o, a := purchase("p1", "eps-1")
	buy(t, s, o, a)
	o, ext := pkg("p1", "eps-1", a.ID)
	buy(t, s, o, ext)
	o, b := purchase("p1", "eps-2")
	buy(t, s, o, b)
	o, old := purchase("p1", "eps-3")
	noRenew(old)
	buy(t, s, o, old)

	if err := s.MoveInstance(ctx(t), a, "eps-4", at(0)); err != nil {
		t.Fatalf("MoveInstance into a free enterprise project: %v", err)
	}
	if got := find(t, s, a.DomainID, a.ID); got.EpsID != "eps-4" {
		t.Errorf("moved instance in %q, want eps-4", got.EpsID)
	}
	if got := find(t, s, a.DomainID, ext.ID); got.EpsID != "eps-4" {
		t.Errorf("its package in %q, want eps-4", got.EpsID)
	}
	o, again := purchase("p1", "eps-1") // the one it left is free
	buy(t, s, o, again)
	o, dup := purchase("p1", "eps-4") // the one it entered is held
	refused(t, s, o, dup, dayu.ECONFLICT)

	if err := s.MoveInstance(ctx(t), b, "eps-4", at(0)); dayu.ErrorCodeOf(err) != dayu.ECONFLICT {
		t.Fatalf("MoveInstance into an occupied enterprise project = %v, want ECONFLICT", err)
	}
	if got := find(t, s, b.DomainID, b.ID); got.EpsID != "eps-2" {
		t.Errorf("the refused move left the instance in %q, want eps-2", got.EpsID)
	}
	o, taken := purchase("p1", "eps-2") // b still holds eps-2
	refused(t, s, o, taken, dayu.ECONFLICT)

	// old is gone at its GoneAt: its enterprise project is taken back by a
	// move then, and it cannot move itself.
	if err := s.MoveInstance(ctx(t), b, "eps-3", old.GoneAt.Add(-time.Second)); dayu.ErrorCodeOf(err) != dayu.ECONFLICT {
		t.Fatalf("MoveInstance into eps-3 before old is gone = %v, want ECONFLICT", err)
	}
	if err := s.MoveInstance(ctx(t), b, "eps-3", old.GoneAt); err != nil {
		t.Fatalf("MoveInstance into eps-3 once old is gone: %v", err)
	}
	if err := s.MoveInstance(ctx(t), old, "eps-9", old.GoneAt); dayu.ErrorCodeOf(err) != dayu.ENOTFOUND {
		t.Errorf("MoveInstance of a gone instance = %v, want ENOTFOUND", err)
	}
	got, _ := listAt(t, s, "p1", 100, 0, old.GoneAt)
	eps := map[string]int{}
	for _, i := range got {
		if !i.IsPackage() {
			eps[i.EpsID]++
		}
	}
	for e, n := range eps {
		if n != 1 {
			t.Errorf("enterprise project %s holds %d instances", e, n)
		}
	}
}

// testRaceTwoMoves: instances racing into one enterprise project: exactly
// one moves, the others stay where they were.
func testRaceTwoMoves(t *testing.T, h *harness) {
	s := h.store()
	const n = 8
	movers := make([]*dayu.Instance, n)
	for k := range n {
		o, i := purchase("p1", fmt.Sprintf("eps-%d", k))
		buy(t, s, o, i)
		movers[k] = i
	}
	moves := make([]func() error, n)
	for k := range n {
		moves[k] = func() error { return s.MoveInstance(ctx(t), movers[k], "eps-target", at(0)) }
	}
	errs := race(moves...)
	won := 0
	for k, err := range errs {
		got := find(t, s, movers[k].DomainID, movers[k].ID).EpsID
		switch {
		case err == nil:
			won++
			if got != "eps-target" {
				t.Errorf("mover %d won but is in %q", k, got)
			}
		case dayu.ErrorCodeOf(err) == dayu.ECONFLICT:
			if got != movers[k].EpsID {
				t.Errorf("mover %d lost but is in %q, want %q", k, got, movers[k].EpsID)
			}
		default:
			t.Errorf("mover %d: %v, want success or ECONFLICT", k, err)
		}
	}
	if won != 1 {
		t.Errorf("%d moves into one enterprise project succeeded, want 1", won)
	}
}

// testRaceRenewalUnsubscribe: a renewal and an unsubscription of one
// instance at once: whichever order they commit in, the instance ends
// unsubscribed (deleting, then gone when the unsubscription says), and the
// renewal's order is stored only if the renewal was.
func testRaceRenewalUnsubscribe(t *testing.T, h *harness) {
	s := h.store()
	for round := range 6 {
		o, i := purchase("p1", fmt.Sprintf("eps-%d", round))
		buy(t, s, o, i)
		read := find(t, s, i.DomainID, i.ID)
		renewed, ended := *read, *read
		renewed.RenewedMonths = 3
		order := renewalOrder(&renewed, at(0), 3)
		ended.AutoRenewUntil, ended.UnsubscribedAt, ended.GoneAt = at(0), at(0), at(3*time.Second)
		errs := race(
			func() error {
				return s.SaveLifecycle(ctx(t), dayu.LifecycleWrite{Instance: &renewed, Orders: []*dayu.Order{order}})
			},
			func() error { _, err := s.SaveUnsubscriptions(ctx(t), []*dayu.Instance{&ended}, nil); return err },
		)
		renewErr, unsubErr := errs[0], errs[1]
		if unsubErr != nil {
			t.Fatalf("round %d: the unsubscription failed: %v", round, unsubErr)
		}
		got := find(t, s, i.DomainID, i.ID)
		if !got.UnsubscribedAt.Equal(ended.UnsubscribedAt) || !got.GoneAt.Equal(ended.GoneAt) {
			t.Errorf("round %d: unsubscribed at %v, gone at %v; want the unsubscription's", round, got.UnsubscribedAt, got.GoneAt)
		}
		switch code := dayu.ErrorCodeOf(renewErr); {
		case renewErr == nil:
			findOrder(t, s, i.DomainID, order.ID)
			if got.RenewedMonths != 3 {
				t.Errorf("round %d: the renewal won but renewed months = %d", round, got.RenewedMonths)
			}
		case code == dayu.ECONFLICT:
			notStored(t, s, order)
			if got.RenewedMonths != 0 {
				t.Errorf("round %d: the refused renewal left renewed months = %d", round, got.RenewedMonths)
			}
		default:
			t.Errorf("round %d: renewal %v, want success or ECONFLICT", round, renewErr)
		}
	}
}

// testRaceSpecChangeRenewal: a spec change and a renewal computed from the
// same read: one is stored, the other refused whole; computed again from a
// fresh read it is stored too, and both hold.
func testRaceSpecChangeRenewal(t *testing.T, h *harness) {
	s := h.store()
	o, i := purchase("p1", "eps-1")
	buy(t, s, o, i)
	read := find(t, s, i.DomainID, i.ID)
	change := func(j *dayu.Instance) dayu.LifecycleWrite {
		j.NextSpecCode, j.NextProductID, j.NextSpecAt = "dayu.nb.enterprise", "OFFI740586375358963721", at(time.Minute)
		return dayu.LifecycleWrite{Instance: j, Orders: []*dayu.Order{{ID: "CS-change-" + uuid.NewString()[:8], Type: dayu.OrderChange,
			DomainID: j.DomainID, ProjectID: j.ProjectID, ResourceID: j.ID, CreatedAt: at(0), CompletedAt: at(time.Minute), SpecCode: j.NextSpecCode}}}
	}
	renew := func(j *dayu.Instance) dayu.LifecycleWrite {
		j.RenewedMonths += 12
		return dayu.LifecycleWrite{Instance: j, Orders: []*dayu.Order{renewalOrder(j, at(0), 12)}}
	}
	writes := []func(*dayu.Instance) dayu.LifecycleWrite{change, renew}
	made := make([]dayu.LifecycleWrite, 2)
	for k := range 2 {
		j := *read
		made[k] = writes[k](&j)
	}
	errs := race(
		func() error { return s.SaveLifecycle(ctx(t), made[0]) },
		func() error { return s.SaveLifecycle(ctx(t), made[1]) },
	)
	lost := -1
	for k, err := range errs {
		switch dayu.ErrorCodeOf(err) {
		case dayu.ECONFLICT:
			if lost >= 0 {
				t.Fatalf("both changes were refused")
			}
			lost = k
			notStored(t, s, made[k].Orders...)
		default:
			if err != nil {
				t.Fatalf("change %d: %v", k, err)
			}
		}
	}
	if lost < 0 {
		t.Fatalf("both changes computed from one read were stored: the second overwrote the first")
	}
	saveLifecycle(t, s, writes[lost](find(t, s, i.DomainID, i.ID)))
	got := find(t, s, i.DomainID, i.ID)
	if got.RenewedMonths != 12 || got.NextSpecCode != "dayu.nb.enterprise" || got.Rev != 2 {
		t.Errorf("after both: renewed months %d, next spec %q, rev %d; want 12, dayu.nb.enterprise, 2", got.RenewedMonths, got.NextSpecCode, got.Rev)
	}
}

// testRaceRenewalPurchase: an instance past its GoneAt but still holding
// its enterprise project, renewed by a request made just before that time,
// while a purchase made just after it takes the enterprise project back:
// never both. Either the renewal is stored and the purchase refused, or
// the purchase is stored and the renewal refused.
func testRaceRenewalPurchase(t *testing.T, h *harness) {
	s := h.store()
	for round := range 6 {
		eps := fmt.Sprintf("eps-%d", round)
		o, old := purchase("p1", eps)
		noRenew(old)
		buy(t, s, o, old)
		read := find(t, s, old.DomainID, old.ID)
		renewed := *read
		renewed.RenewedMonths = 12
		renewed.GoneAt = read.GoneAt.Add(365 * 24 * time.Hour)
		order := renewalOrder(&renewed, read.GoneAt.Add(-time.Second), 12)
		po, next := purchaseAt(read.GoneAt.Add(time.Second), "p1", eps)
		errs := race(
			func() error {
				return s.SaveLifecycle(ctx(t), dayu.LifecycleWrite{Instance: &renewed, Orders: []*dayu.Order{order}})
			},
			func() error { return s.CreatePurchase(ctx(t), po, next) },
		)
		renewErr, buyErr := errs[0], errs[1]
		switch {
		case renewErr == nil && dayu.ErrorCodeOf(buyErr) == dayu.ECONFLICT:
			if got, _ := listAt(t, s, "p1", 100, 0, next.CreatedAt); !containsID(got, old.ID) || containsID(got, next.ID) {
				t.Errorf("round %d: the renewal won, but the list shows %v", round, ids(got))
			}
		case buyErr == nil && dayu.ErrorCodeOf(renewErr) == dayu.ECONFLICT:
			notStored(t, s, order)
			if got, _ := listAt(t, s, "p1", 100, 0, next.CreatedAt); containsID(got, old.ID) || !containsID(got, next.ID) {
				t.Errorf("round %d: the purchase won, but the list shows %v", round, ids(got))
			}
		default:
			t.Errorf("round %d: renewal %v, purchase %v; want exactly one to succeed and the other ECONFLICT", round, renewErr, buyErr)
		}
	}
}

func containsID(list []*dayu.Instance, id string) bool {
	for _, i := range list {
		if i.ID == id {
			return true
		}
	}
	return false
}

// stored returns the instance's stored workspaces.
func stored(t *testing.T, s dayu.Store, instanceID string) []*dayu.Workspace {
	t.Helper()
	return must[[]*dayu.Workspace](t)(s.Workspaces(ctx(t), instanceID))
}

// workspaceOf is a new workspace of i, made n minutes after later.
func workspaceOf(i *dayu.Instance, n int) *dayu.Workspace {
	return &dayu.Workspace{ID: fmt.Sprintf("%032x", uuid.New().ID()), InstanceID: i.ID, ProjectID: i.ProjectID, DomainID: i.DomainID,
		Name: fmt.Sprintf("ws-%d", n), Description: "数据", EpsID: "eps-1", BadRecordLocation: "obs://bad/", JobLogLocation: "obs://log/",
		CreateUser: "bob", UpdateUser: "bob", CreatedAt: at(time.Duration(n) * time.Minute), UpdatedAt: at(time.Duration(n) * time.Minute)}
}

// testWorkspaces: workspaces are created, listed (the default one first,
// then oldest first), renamed and deleted; names are unique in an
// instance; the default workspace is stored by its first change, and is
// not deleted.
func testWorkspaces(t *testing.T, h *harness) {
	s := h.store()
	o, i := purchase("p1", "eps-1")
	buy(t, s, o, i)
	o, other := purchase("p1", "eps-2")
	buy(t, s, o, other)

	var made []*dayu.Workspace
	for n := range 3 {
		w := workspaceOf(i, 3-n) // made in the reverse order of their times
		if err := s.CreateWorkspace(ctx(t), w); err != nil {
			t.Fatalf("CreateWorkspace %s: %v", w.Name, err)
		}
		made = append([]*dayu.Workspace{w}, made...)
	}
	taken := *made[0]
	taken.ID = fmt.Sprintf("%032x", 99)
	if err := s.CreateWorkspace(ctx(t), &taken); dayu.ErrorCodeOf(err) != dayu.ECONFLICT {
		t.Errorf("CreateWorkspace with a taken name = %v, want ECONFLICT", err)
	}
	elsewhere := *made[0]
	elsewhere.ID, elsewhere.InstanceID = fmt.Sprintf("%032x", 98), other.ID // the same name in another instance is fine
	if err := s.CreateWorkspace(ctx(t), &elsewhere); err != nil {
		t.Errorf("CreateWorkspace of ws-1 in another instance: %v", err)
	}
	got := stored(t, s, i.ID)
	if len(got) != 3 {
		t.Fatalf("Workspaces: %d, want 3", len(got))
	}
	for n := range got {
		same(t, fmt.Sprintf("Workspaces[%d]", n), got[n], made[n])
	}

	def := i.DefaultWorkspace()
	def.Name, def.Description, def.UpdateUser, def.UpdatedAt = "main", "renamed", "carol", at(time.Hour)
	if err := s.UpdateWorkspace(ctx(t), def); err != nil {
		t.Fatalf("UpdateWorkspace of the default workspace: %v", err)
	}
	def.EpsID, def.UpdatedAt = "0", at(2*time.Hour)
	if err := s.UpdateWorkspace(ctx(t), def); err != nil {
		t.Fatalf("UpdateWorkspace of the default workspace again: %v", err)
	}
	if got := stored(t, s, i.ID); len(got) != 4 {
		t.Fatalf("after changing the default workspace: %d stored, want 4", len(got))
	} else {
		same(t, "the default workspace, first", got[0], def)
	}
	clash := *def
	clash.Name = "ws-2"
	if err := s.UpdateWorkspace(ctx(t), &clash); dayu.ErrorCodeOf(err) != dayu.ECONFLICT {
		t.Errorf("renaming the default workspace to a taken name = %v, want ECONFLICT", err)
	}

	renamed := *made[1]
	renamed.Name, renamed.UpdateUser, renamed.UpdatedAt = "ws-renamed", "carol", at(time.Hour)
	if err := s.UpdateWorkspace(ctx(t), &renamed); err != nil {
		t.Fatalf("UpdateWorkspace: %v", err)
	}
	clash = renamed
	clash.Name = "main"
	if err := s.UpdateWorkspace(ctx(t), &clash); dayu.ErrorCodeOf(err) != dayu.ECONFLICT {
		t.Errorf("UpdateWorkspace to a taken name = %v, want ECONFLICT", err)
	}
	ghost := renamed
	ghost.ID = fmt.Sprintf("%032x", 77)
	if err := s.UpdateWorkspace(ctx(t), &ghost); dayu.ErrorCodeOf(err) != dayu.ENOTFOUND {
		t.Errorf("UpdateWorkspace of an unknown workspace = %v, want ENOTFOUND", err)
	}
	got = stored(t, s, i.ID)
	same(t, "the default workspace after the refused renames", got[0], def)
	same(t, "the renamed workspace", got[2], &renamed)

	if err := s.DeleteWorkspace(ctx(t), i.ID, made[2].ID); err != nil {
		t.Fatalf("DeleteWorkspace: %v", err)
	}
	for _, tc := range []struct{ name, instance, id string }{
		{"again", i.ID, made[2].ID},
		{"the default workspace", i.ID, def.ID},
		{"under another instance", other.ID, made[0].ID},
	} {
		if err := s.DeleteWorkspace(ctx(t), tc.instance, tc.id); dayu.ErrorCodeOf(err) != dayu.ENOTFOUND {
			t.Errorf("DeleteWorkspace %s = %v, want ENOTFOUND", tc.name, err)
		}
	}
	if got := stored(t, s, i.ID); len(got) != 3 || got[0].ID != def.ID {
		t.Errorf("after the deletes: %d stored, first %s; want 3, the default one", len(got), got[0].ID)
	}
}

// testWorkspacesRestartAndReset: workspaces survive a restart; Reset
// deletes them with the instances.
func testWorkspacesRestartAndReset(t *testing.T, h *harness) {
	s := h.store()
	o, i := purchase("p1", "eps-1")
	buy(t, s, o, i)
	w := workspaceOf(i, 1)
	if err := s.CreateWorkspace(ctx(t), w); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = h.store()
	if got := stored(t, s, i.ID); len(got) != 1 {
		t.Fatalf("after a restart: %d workspaces, want 1", len(got))
	} else {
		same(t, "after a restart", got[0], w)
	}
	if err := s.Reset(ctx(t), nil); err != nil {
		t.Fatal(err)
	}
	if got := stored(t, s, i.ID); len(got) != 0 {
		t.Errorf("after Reset: %d workspaces, want none", len(got))
	}
	buy(t, s, o, i)
	if err := s.CreateWorkspace(ctx(t), w); err != nil { // its id and name are free again
		t.Errorf("CreateWorkspace after Reset: %v", err)
	}
}
