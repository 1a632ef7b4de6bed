// Package storetest is the conformance suite of dayu.Store, written once
// against the interface and run by every backend's tests (sqlite, postgres).
// It asserts what a user of the API would notice: what a purchase stores,
// what the list shows, which purchases are refused and with what, and what
// survives a restart.
package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/dayu-emu/dayu"
)

// Run runs the conformance suite. fresh makes a new, empty store location
// for one test and returns a function that opens a Store on it; calling open
// again after Close reopens the same data (a restart).
func Run(t *testing.T, fresh func(t *testing.T) (open func() (dayu.Store, error))) {
	tests := []struct {
		name string
		fn   func(t *testing.T, h *harness)
	}{
		{"RoundTrip", testRoundTrip},
		{"List", testList},
		{"OnePerEnterpriseProject", testOnePerEnterpriseProject},
		{"PackageBinding", testPackageBinding},
		{"RaceOneEnterpriseProject", testRaceOneEnterpriseProject},
		{"ConcurrentPurchases", testConcurrentPurchases},
		{"Restart", testRestart},
		{"Gone", testGone},
		{"Resources", testResources},
		{"Unsubscribe", testUnsubscribe},
		{"Reset", testReset},
		{"Documents", testDocuments},
		{"TokenKey", testTokenKey},
		{"TokenKeyRace", testTokenKeyRace},
		{"IdempotencyKey", testIdempotencyKey},
		{"Ping", testPing},
	}
	for _, tt := range append(tests, lifecycleTests...) {
		t.Run(tt.name, func(t *testing.T) {
			// Every test has its own location, so they may run together.
			t.Parallel()
			h := &harness{t: t, open: fresh(t)}
			tt.fn(t, h)
		})
	}
}

// harness opens stores on one location and closes them when the test ends.
type harness struct {
	t    *testing.T
	open func() (dayu.Store, error)
}

// store opens a Store on the location; the test's cleanup closes it unless
// the test already has.
func (h *harness) store() dayu.Store {
	h.t.Helper()
	s, err := h.open()
	if err != nil {
		h.t.Fatalf("open: %v", err)
	}
	c := &closer{s: s}
	h.t.Cleanup(func() { _ = c.close() })
	return &closingStore{Store: s, c: c}
}

// closer closes a Store once.
type closer struct {
	once sync.Once
	s    dayu.Store
	err  error
}

func (c *closer) close() error {
	c.once.Do(func() { c.err = c.s.Close() })
	return c.err
}

// closingStore is a Store whose Close the cleanup knows about.
type closingStore struct {
	dayu.Store
	c *closer
}

func (s *closingStore) Close() error { return s.c.close() }

// ctx is the context of one test's store calls: generous, but a store that
// hangs fails the test instead of the whole run.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// clock is when the suite's purchases happen: a time with nanoseconds and a
// zone, so that truncation and UTC matter.
var clock = time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.FixedZone("CST", 8*3600))

// provisioning is the purchase-to-effective delay of the suite's purchases.
const provisioning = 3 * time.Second

// later is a time at which every purchase of the suite is in effect and
// none is gone.
var later = clock.Add(time.Hour)

// purchase builds the order and instance of a purchase as dayu.Service
// does: times truncated to milliseconds in UTC, ids fresh, every field set.
// The instance renews automatically; see noRenew.
func purchase(project, eps string, tags ...dayu.Tag) (*dayu.Order, *dayu.Instance) {
	return purchaseAt(clock, project, eps, tags...)
}

func purchaseAt(at time.Time, project, eps string, tags ...dayu.Tag) (*dayu.Order, *dayu.Instance) {
	now := at.UTC().Truncate(time.Millisecond)
	effective := now.Add(provisioning)
	suffix := make([]byte, 5)
	_, _ = rand.Read(suffix)
	o := &dayu.Order{
		ID:          fmt.Sprintf("CS%s%X", now.Format("060102150405"), suffix),
		Type:        dayu.OrderNew,
		DomainID:    "domain-" + project,
		ProjectID:   project,
		CreatedAt:   now,
		CompletedAt: effective,
	}
	i := &dayu.Instance{
		ID:               uuid.NewString(),
		ProjectID:        project,
		DomainID:         o.DomainID,
		OrderID:          o.ID,
		Name:             "数据治理-" + eps,
		RegionID:         "cn-north-4",
		AvailabilityZone: "cn-north-4a",
		VpcID:            "vpc-" + project,
		NetID:            "subnet-" + project,
		SecurityGroupID:  "sg-" + project,
		EpsID:            eps,
		SpecCode:         "dayu.advanced",
		ProductID:        "OFFI740586375358963719",
		PeriodType:       dayu.PeriodYear,
		PeriodNum:        2,
		IsAutoRenew:      1,
		CreateUser:       "alice",
		CreatedAt:        now,
		EffectiveAt:      effective,
		ExpiresAt:        dayu.AddPeriod(effective, dayu.PeriodYear, 2),
		Tags:             tags,
		Grace:            dayu.DefaultTimings.Grace,
		Retention:        dayu.DefaultTimings.Retention,
	}
	o.ResourceID = i.ID
	return o, i
}

// noRenew makes i a purchase with is_auto_renew 0, as dayu.Service does: it
// renews no more and is gone after its term, grace and retention.
func noRenew(i *dayu.Instance) {
	i.IsAutoRenew = 0
	i.AutoRenewUntil = i.CreatedAt
	last, _ := i.Term(i.AutoRenewUntil)
	i.GoneAt = last.Add(i.Grace + i.Retention)
}

// pkg builds an incremental package bound to parent.
func pkg(project, eps, parent string) (*dayu.Order, *dayu.Instance) {
	o, i := purchase(project, eps)
	i.ParentID = parent
	i.ExtensionPackage = "dayu.ext.jobs"
	i.PeriodType, i.PeriodNum = dayu.PeriodMonth, 3
	i.ExpiresAt = dayu.AddPeriod(i.EffectiveAt, dayu.PeriodMonth, 3)
	noRenew(i)
	return o, i
}

// buy stores a purchase that must succeed.
func buy(t *testing.T, s dayu.Store, o *dayu.Order, i *dayu.Instance) {
	t.Helper()
	if err := s.CreatePurchase(ctx(t), o, i); err != nil {
		t.Fatalf("CreatePurchase(%s in project %s, eps %q): %v", i.ID, i.ProjectID, i.EpsID, err)
	}
}

// refused stores a purchase that must fail with code, and checks that
// neither its instance nor its order was stored.
func refused(t *testing.T, s dayu.Store, o *dayu.Order, i *dayu.Instance, code dayu.ErrorCode) {
	t.Helper()
	err := s.CreatePurchase(ctx(t), o, i)
	if got := dayu.ErrorCodeOf(err); got != code {
		t.Fatalf("CreatePurchase(%s in project %s, eps %q, parent %q) = %v (code %s), want code %s",
			i.ID, i.ProjectID, i.EpsID, i.ParentID, err, got, code)
	}
	if got := find(t, s, i.DomainID, i.ID); got != nil {
		t.Errorf("the refused instance %s was stored", i.ID)
	}
	if _, err := s.FindOrder(ctx(t), o.DomainID, o.ID); dayu.ErrorCodeOf(err) != dayu.ENOTFOUND {
		t.Errorf("FindOrder(refused order %s) = %v, want ENOTFOUND", o.ID, err)
	}
}

// list returns one page of the project at later.
func list(t *testing.T, s dayu.Store, project string, limit, offset int) ([]*dayu.Instance, int) {
	t.Helper()
	return listAt(t, s, project, limit, offset, later)
}

func listAt(t *testing.T, s dayu.Store, project string, limit, offset int, now time.Time) ([]*dayu.Instance, int) {
	t.Helper()
	got, total, err := s.ListInstances(ctx(t), project, dayu.Page{Limit: limit, Offset: offset}, now)
	if err != nil {
		t.Fatalf("ListInstances(%s, limit %d, offset %d): %v", project, limit, offset, err)
	}
	return got, total
}

// find returns the domain's instance with that id, nil if none.
func find(t *testing.T, s dayu.Store, domain, id string) *dayu.Instance {
	t.Helper()
	got, err := s.Resources(ctx(t), domain, dayu.ResourceFilter{ResourceIDs: []string{id}})
	if err != nil {
		t.Fatalf("Resources(%s, id %s): %v", domain, id, err)
	}
	switch len(got) {
	case 0:
		return nil
	case 1:
		return got[0]
	}
	t.Fatalf("Resources(%s, id %s) returned %d instances", domain, id, len(got))
	return nil
}

// ids are the instances' ids, in order.
func ids(list []*dayu.Instance) []string {
	out := make([]string, len(list))
	for n, i := range list {
		out[n] = i.ID
	}
	return out
}

var timeType = reflect.TypeFor[time.Time]()

// same fails the test unless got is want, whole: every field, times to the
// millisecond and in UTC (the zero time staying zero), an empty tag list
// empty.
func same[T any](t *testing.T, what string, got, want *T) {
	t.Helper()
	if got == nil {
		t.Fatalf("%s: got nothing, want %+v", what, want)
	}
	g, w := reflect.ValueOf(got).Elem(), reflect.ValueOf(want).Elem()
	for n := range g.NumField() {
		name := g.Type().Field(n).Name
		gf, wf := g.Field(n), w.Field(n)
		switch {
		case gf.Type() == timeType:
			gt, wt := gf.Interface().(time.Time), wf.Interface().(time.Time)
			if !gt.Equal(wt) || gt.IsZero() != wt.IsZero() || gt.Location() != time.UTC {
				t.Errorf("%s: %s = %s, want %s (UTC)", what, name, gt.Format(time.RFC3339Nano), wt.Format(time.RFC3339Nano))
			}
		case gf.Kind() == reflect.Slice && gf.Len() == 0 && wf.Len() == 0:
		case !reflect.DeepEqual(gf.Interface(), wf.Interface()):
			t.Errorf("%s: %s = %#v, want %#v", what, name, gf.Interface(), wf.Interface())
		}
	}
}

func testRoundTrip(t *testing.T, h *harness) {
	s := h.store()
	o, main := purchase("p1", "0",
		dayu.Tag{Key: "team", Value: "数据"}, dayu.Tag{Key: "empty", Value: ""}, dayu.Tag{Key: "a", Value: "z"})
	buy(t, s, o, main)
	o2, ext := pkg("p1", "0", main.ID)
	buy(t, s, o2, ext)
	o3, bare := purchase("p1", "eps-bare") // no tags at all, no renewals
	noRenew(bare)
	buy(t, s, o3, bare)

	for _, want := range []*dayu.Instance{main, ext, bare} {
		same(t, "Resources", find(t, s, want.DomainID, want.ID), want)
	}
	got, total := list(t, s, "p1", 10, 0)
	if total != 3 || len(got) != 3 {
		t.Fatalf("ListInstances: %d instances, total %d; want 3, 3", len(got), total)
	}
	for n, want := range []*dayu.Instance{bare, ext, main} {
		same(t, fmt.Sprintf("ListInstances[%d]", n), got[n], want)
	}
	for _, want := range []*dayu.Order{o, o2, o3} {
		got, err := s.FindOrder(ctx(t), want.DomainID, want.ID)
		if err != nil {
			t.Fatalf("FindOrder(%s): %v", want.ID, err)
		}
		same(t, "FindOrder", got, want)
	}

	if got := find(t, s, "domain-p2", main.ID); got != nil {
		t.Errorf("Resources of another domain returned %s", got.ID)
	}
	if got := find(t, s, main.DomainID, uuid.NewString()); got != nil {
		t.Errorf("Resources of an unknown id returned %s", got.ID)
	}
	if _, err := s.FindOrder(ctx(t), "domain-p2", o.ID); dayu.ErrorCodeOf(err) != dayu.ENOTFOUND {
		t.Errorf("FindOrder of another domain's order = %v, want ENOTFOUND", err)
	}
}

func testList(t *testing.T, h *harness) {
	s := h.store()
	var mine []string // oldest first
	for n := range 7 {
		o, i := purchase("p1", fmt.Sprintf("eps-%d", n))
		buy(t, s, o, i)
		mine = append(mine, i.ID)
		if n == 2 || n == 5 { // another project's purchases in between
			o, i := purchase("p2", fmt.Sprintf("eps-%d", n))
			buy(t, s, o, i)
		}
	}
	newest := slices.Clone(mine)
	slices.Reverse(newest)

	for _, c := range []struct {
		limit, offset int
		want          []string
	}{
		{100, 0, newest},
		{7, 0, newest},
		{3, 0, newest[0:3]},
		{3, 3, newest[3:6]},
		{3, 6, newest[6:7]},
		{1, 4, newest[4:5]},
		{3, 7, nil},
		{3, 100, nil},
	} {
		got, total := list(t, s, "p1", c.limit, c.offset)
		if total != 7 {
			t.Errorf("ListInstances(limit %d, offset %d): total %d, want 7", c.limit, c.offset, total)
		}
		if g := ids(got); !slices.Equal(g, c.want) {
			t.Errorf("ListInstances(limit %d, offset %d) = %v, want %v", c.limit, c.offset, g, c.want)
		}
	}
	got, total := list(t, s, "p2", 100, 0)
	if total != 2 || len(got) != 2 {
		t.Errorf("ListInstances(p2): %d instances, total %d; want 2, 2", len(got), total)
	}
	for _, i := range got {
		if i.ProjectID != "p2" {
			t.Errorf("ListInstances(p2) shows %s of project %s", i.ID, i.ProjectID)
		}
	}
	if got, total := list(t, s, "p3", 10, 0); total != 0 || len(got) != 0 {
		t.Errorf("ListInstances(p3, no purchases) = %v, total %d; want empty, 0", ids(got), total)
	}
}

func testOnePerEnterpriseProject(t *testing.T, h *harness) {
	s := h.store()
	o, first := purchase("p1", "eps-1")
	buy(t, s, o, first)

	// A second instance in the same enterprise project is refused and
	// leaves nothing behind (refused checks the order too).
	o2, second := purchase("p1", "eps-1")
	refused(t, s, o2, second, dayu.ECONFLICT)
	if got, total := list(t, s, "p1", 10, 0); total != 1 || len(got) != 1 || got[0].ID != first.ID {
		t.Fatalf("after the refused purchase: list %v, total %d; want only %s", ids(got), total, first.ID)
	}
	// The same order, now for an enterprise project that is free, goes
	// through: a leftover order row would make it a duplicate key.
	second.EpsID = "eps-2"
	buy(t, s, o2, second)

	// The same enterprise project in another project is fine.
	o, other := purchase("p2", "eps-1")
	buy(t, s, o, other)

	// Packages do not hold the enterprise project: several in eps-1 are
	// fine, and one in eps-3 leaves eps-3 free for an instance.
	for range 2 {
		o, p := pkg("p1", "eps-1", first.ID)
		buy(t, s, o, p)
	}
	o, p := pkg("p1", "eps-3", first.ID)
	buy(t, s, o, p)
	o, third := purchase("p1", "eps-3")
	buy(t, s, o, third)
	// And eps-1 is still held by first.
	o, again := purchase("p1", "eps-1")
	refused(t, s, o, again, dayu.ECONFLICT)

	if _, total := list(t, s, "p1", 100, 0); total != 6 {
		t.Errorf("p1 total = %d, want 6 (3 instances, 3 packages)", total)
	}
	if _, total := list(t, s, "p2", 100, 0); total != 1 {
		t.Errorf("p2 total = %d, want 1", total)
	}
}

func testPackageBinding(t *testing.T, h *harness) {
	s := h.store()
	o, main := purchase("p1", "eps-1")
	buy(t, s, o, main)
	o, theirs := purchase("p2", "eps-1")
	buy(t, s, o, theirs)
	o, ext := pkg("p1", "eps-1", main.ID)
	buy(t, s, o, ext)
	o, ended := purchase("p1", "eps-2")
	buy(t, s, o, ended)
	ended.AutoRenewUntil, ended.UnsubscribedAt, ended.GoneAt = later, later, later.Add(time.Hour)
	if err := s.SaveUnsubscriptions(ctx(t), []*dayu.Instance{ended}, nil); err != nil {
		t.Fatalf("SaveUnsubscriptions: %v", err)
	}

	total := 3
	for _, c := range []struct{ name, parent string }{
		{"an unknown instance", uuid.NewString()},
		{"another project's instance", theirs.ID},
		{"a package", ext.ID},
		{"an unsubscribed instance", ended.ID},
	} {
		o, p := pkg("p1", "eps-1", c.parent)
		p.CreatedAt = later.Add(time.Minute).Truncate(time.Millisecond)
		t.Logf("a package bound to %s", c.name)
		refused(t, s, o, p, dayu.EINVALID)
		if _, got := list(t, s, "p1", 100, 0); got != total {
			t.Fatalf("after a package bound to %s: p1 total %d, want %d", c.name, got, total)
		}
		// The same order goes through once the package is bound right.
		p.ParentID = main.ID
		buy(t, s, o, p)
		total++
	}
	if _, got := list(t, s, "p1", 100, 0); got != total {
		t.Errorf("p1 total %d, want %d", got, total)
	}
	if _, got := list(t, s, "p2", 100, 0); got != 1 {
		t.Errorf("p2 total %d, want 1", got)
	}
}

func testRaceOneEnterpriseProject(t *testing.T, h *harness) {
	s := h.store()
	const n = 50
	instances := make([]*dayu.Instance, n)
	errs := make([]error, n)
	c := ctx(t)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for k := range n {
		o, i := purchase("p1", "eps-contested")
		instances[k] = i
		wg.Go(func() {
			<-start
			errs[k] = s.CreatePurchase(c, o, i)
		})
	}
	close(start)
	wg.Wait()
	winner := ""
	for k, err := range errs {
		switch code := dayu.ErrorCodeOf(err); {
		case err == nil:
			if winner != "" {
				t.Errorf("two purchases won eps-contested: %s and %s", winner, instances[k].ID)
			}
			winner = instances[k].ID
		case code != dayu.ECONFLICT:
			t.Errorf("purchase %d: %v (code %s), want success or ECONFLICT", k, err, code)
		}
	}
	if winner == "" {
		t.Fatal("no purchase won eps-contested")
	}
	if got, total := list(t, s, "p1", 100, 0); total != 1 || len(got) != 1 || got[0].ID != winner {
		t.Errorf("list = %v, total %d; want only the winner %s", ids(got), total, winner)
	}
}

func testConcurrentPurchases(t *testing.T, h *harness) {
	s := h.store()
	o, taken := purchase("p1", "eps-taken")
	buy(t, s, o, taken)

	// 200 good purchases race with refused ones, so that batches mix them:
	// a refused purchase must not undo its batch mates.
	const good, conflicts, unbound = 200, 50, 50
	type attempt struct {
		o    *dayu.Order
		i    *dayu.Instance
		want dayu.ErrorCode // "" for success
		err  error
	}
	var attempts []*attempt
	for k := range good + conflicts + unbound {
		a := &attempt{}
		switch {
		case k%3 == 1 && k < 3*conflicts:
			a.o, a.i = purchase("p1", "eps-taken")
			a.want = dayu.ECONFLICT
		case k%3 == 2 && k < 3*unbound:
			a.o, a.i = pkg("p1", "eps-taken", uuid.NewString())
			a.want = dayu.EINVALID
		default:
			a.o, a.i = purchase("p1", fmt.Sprintf("eps-%d", k))
		}
		attempts = append(attempts, a)
	}
	c := ctx(t)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for _, a := range attempts {
		wg.Go(func() {
			<-start
			a.err = s.CreatePurchase(c, a.o, a.i)
		})
	}
	close(start)
	wg.Wait()

	want := map[string]bool{taken.ID: true}
	for _, a := range attempts {
		if a.want == "" {
			want[a.i.ID] = true
			if a.err != nil {
				t.Errorf("purchase in %s: %v", a.i.EpsID, a.err)
			}
			continue
		}
		if got := dayu.ErrorCodeOf(a.err); got != a.want {
			t.Errorf("purchase in %s (parent %q) = %v (code %s), want code %s", a.i.EpsID, a.i.ParentID, a.err, got, a.want)
		}
		if _, err := s.FindOrder(c, a.o.DomainID, a.o.ID); dayu.ErrorCodeOf(err) != dayu.ENOTFOUND {
			t.Errorf("FindOrder(refused order in %s) = %v, want ENOTFOUND", a.i.EpsID, err)
		}
	}
	if len(want) != good+1 {
		t.Fatalf("%d good purchases, want %d", len(want)-1, good)
	}
	got, total := list(t, s, "p1", 1000, 0)
	if total != good+1 || len(got) != good+1 {
		t.Fatalf("list: %d instances, total %d; want %d", len(got), total, good+1)
	}
	for _, i := range got {
		if !want[i.ID] {
			t.Errorf("list shows %s (eps %q), which was not a successful purchase", i.ID, i.EpsID)
		}
		delete(want, i.ID)
	}
	for id := range want {
		t.Errorf("list lacks the successful purchase %s", id)
	}
}

func testRestart(t *testing.T, h *harness) {
	s := h.store()
	o, main := purchase("p1", "eps-1", dayu.Tag{Key: "k", Value: ""})
	buy(t, s, o, main)
	o2, ext := pkg("p1", "eps-1", main.ID)
	buy(t, s, o2, ext)
	world := []byte(`{"regions":[{"id":"cn-north-4","zones":["cn-north-4a"]}],"domains":[],"note":"数据"}`)
	if err := s.SaveDocument(ctx(t), "world", world); err != nil {
		t.Fatalf("SaveDocument: %v", err)
	}
	key := randomKey(t)
	if got, err := s.TokenKey(ctx(t), key); err != nil || !bytes.Equal(got, key) {
		t.Fatalf("TokenKey = %x, %v; want %x", got, err, key)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = h.store()
	got, total := list(t, s, "p1", 10, 0)
	if total != 2 || len(got) != 2 {
		t.Fatalf("after restart: list %v, total %d; want 2 instances", ids(got), total)
	}
	same(t, "after restart, ListInstances[0]", got[0], ext)
	same(t, "after restart, ListInstances[1]", got[1], main)
	same(t, "after restart, Resources", find(t, s, main.DomainID, main.ID), main)
	order, err := s.FindOrder(ctx(t), o.DomainID, o.ID)
	if err != nil {
		t.Fatalf("after restart, FindOrder: %v", err)
	}
	same(t, "after restart, FindOrder", order, o)
	if doc, err := s.Document(ctx(t), "world"); err != nil || !bytes.Equal(doc, world) {
		t.Errorf("after restart, Document = %q, %v; want %q", doc, err, world)
	}
	if got, err := s.TokenKey(ctx(t), randomKey(t)); err != nil || !bytes.Equal(got, key) {
		t.Errorf("after restart, TokenKey = %x, %v; want the first key %x", got, err, key)
	}
	// The rule survives too, and purchases go on.
	o, again := purchase("p1", "eps-1")
	refused(t, s, o, again, dayu.ECONFLICT)
	o, next := purchase("p1", "eps-2")
	buy(t, s, o, next)
	if got, total := list(t, s, "p1", 1, 0); total != 3 || len(got) != 1 || got[0].ID != next.ID {
		t.Errorf("after restart and a purchase: newest %v, total %d; want %s, 3", ids(got), total, next.ID)
	}
}

// testGone: an instance is listed until its GoneAt and not from then on,
// Resources still finds it, and its enterprise project is free for a
// purchase made from then on, not before.
func testGone(t *testing.T, h *harness) {
	s := h.store()
	o, old := purchase("p1", "eps-1")
	noRenew(old)
	buy(t, s, o, old)
	gone := old.GoneAt

	if got, total := listAt(t, s, "p1", 10, 0, gone.Add(-time.Millisecond)); total != 1 || len(got) != 1 {
		t.Errorf("just before GoneAt: list %v, total %d; want the instance", ids(got), total)
	}
	if got, total := listAt(t, s, "p1", 10, 0, gone); total != 0 || len(got) != 0 {
		t.Errorf("at GoneAt: list %v, total %d; want empty", ids(got), total)
	}
	same(t, "Resources of a gone instance", find(t, s, old.DomainID, old.ID), old)

	o, early := purchaseAt(gone.Add(-time.Second), "p1", "eps-1")
	refused(t, s, o, early, dayu.ECONFLICT)
	o, ext := pkg("p1", "eps-1", old.ID)
	ext.CreatedAt = gone
	refused(t, s, o, ext, dayu.EINVALID)

	o, next := purchaseAt(gone, "p1", "eps-1")
	buy(t, s, o, next)
	o, after := purchaseAt(gone.Add(time.Second), "p1", "eps-1")
	refused(t, s, o, after, dayu.ECONFLICT)
	if got, total := listAt(t, s, "p1", 10, 0, gone.Add(time.Hour)); total != 1 || len(got) != 1 || got[0].ID != next.ID {
		t.Errorf("after the new purchase: list %v, total %d; want only %s", ids(got), total, next.ID)
	}
}

func testResources(t *testing.T, h *harness) {
	s := h.store()
	o1, a := purchase("p1", "eps-1")
	buy(t, s, o1, a)
	o, b := purchase("p1", "eps-2")
	buy(t, s, o, b)
	o, aExt := pkg("p1", "eps-1", a.ID)
	buy(t, s, o, aExt)
	o, bExt := pkg("p1", "eps-1", b.ID)
	buy(t, s, o, bExt)
	o, theirs := purchase("p2", "eps-1") // another domain
	buy(t, s, o, theirs)

	domain := a.DomainID
	for _, c := range []struct {
		name string
		f    dayu.ResourceFilter
		want []string
	}{
		{"nothing", dayu.ResourceFilter{}, nil},
		{"an order", dayu.ResourceFilter{OrderID: o1.ID}, []string{a.ID}},
		{"ids", dayu.ResourceFilter{ResourceIDs: []string{bExt.ID, a.ID, uuid.NewString()}}, []string{a.ID, bExt.ID}},
		{"parents", dayu.ResourceFilter{ParentIDs: []string{a.ID, b.ID}}, []string{aExt.ID, bExt.ID}},
		{"ids or parents", dayu.ResourceFilter{ResourceIDs: []string{a.ID}, ParentIDs: []string{a.ID}}, []string{a.ID, aExt.ID}},
		{"another domain's", dayu.ResourceFilter{ResourceIDs: []string{theirs.ID}}, nil},
	} {
		got, err := s.Resources(ctx(t), domain, c.f)
		if err != nil {
			t.Fatalf("Resources(%s): %v", c.name, err)
		}
		g := ids(got)
		slices.Sort(g)
		want := slices.Clone(c.want)
		slices.Sort(want)
		if !slices.Equal(g, want) {
			t.Errorf("Resources(%s) = %v, want %v", c.name, g, want)
		}
	}
}

func testUnsubscribe(t *testing.T, h *harness) {
	s := h.store()
	o, main := purchase("p1", "eps-1")
	buy(t, s, o, main)
	o, ext := pkg("p1", "eps-1", main.ID)
	buy(t, s, o, ext)

	now := later.Truncate(time.Millisecond).UTC()
	gone := now.Add(3 * time.Second)
	unsub := &dayu.Order{ID: "CS-unsubscribe-1", Type: dayu.OrderUnsubscribe, DomainID: main.DomainID,
		ProjectID: "p1", ResourceID: main.ID, CreatedAt: now, CompletedAt: gone}
	m, e := *main, *ext
	m.AutoRenewUntil, m.UnsubscribedAt, m.GoneAt = now, now, gone
	e.UnsubscribedAt, e.GoneAt = now, gone
	if err := s.SaveUnsubscriptions(ctx(t), []*dayu.Instance{&m, &e}, []*dayu.Order{unsub}); err != nil {
		t.Fatalf("SaveUnsubscriptions: %v", err)
	}
	same(t, "unsubscribed instance", find(t, s, main.DomainID, main.ID), &m)
	same(t, "unsubscribed package", find(t, s, main.DomainID, ext.ID), &e)
	got, err := s.FindOrder(ctx(t), main.DomainID, unsub.ID)
	if err != nil {
		t.Fatalf("FindOrder(unsubscribe order): %v", err)
	}
	same(t, "unsubscribe order", got, unsub)

	// Unsubscribing again fails and changes nothing, its order included.
	again := &dayu.Order{ID: "CS-unsubscribe-2", Type: dayu.OrderUnsubscribe, DomainID: main.DomainID,
		ProjectID: "p1", ResourceID: main.ID, CreatedAt: now, CompletedAt: gone}
	m2 := m
	m2.UnsubscribedAt, m2.GoneAt = now.Add(time.Second), gone.Add(time.Second)
	err = s.SaveUnsubscriptions(ctx(t), []*dayu.Instance{&m2}, []*dayu.Order{again})
	if dayu.ErrorCodeOf(err) != dayu.ECONFLICT {
		t.Errorf("second SaveUnsubscriptions = %v, want ECONFLICT", err)
	}
	same(t, "instance after the refused unsubscription", find(t, s, main.DomainID, main.ID), &m)
	if _, err := s.FindOrder(ctx(t), main.DomainID, again.ID); dayu.ErrorCodeOf(err) != dayu.ENOTFOUND {
		t.Errorf("FindOrder(refused unsubscribe order) = %v, want ENOTFOUND", err)
	}

	// Once gone, the enterprise project is free.
	o, next := purchaseAt(gone, "p1", "eps-1")
	buy(t, s, o, next)
}

func testReset(t *testing.T, h *harness) {
	s := h.store()
	o, main := purchase("p1", "eps-1")
	buy(t, s, o, main)
	o2, ext := pkg("p1", "eps-1", main.ID)
	buy(t, s, o2, ext)
	if err := s.SaveDocument(ctx(t), "world", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	key := randomKey(t)
	if _, err := s.TokenKey(ctx(t), key); err != nil {
		t.Fatal(err)
	}
	if err := s.Reset(ctx(t)); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	if got, total := list(t, s, "p1", 10, 0); total != 0 || len(got) != 0 {
		t.Errorf("after Reset: list %v, total %d; want empty", ids(got), total)
	}
	if _, err := s.FindOrder(ctx(t), o.DomainID, o.ID); dayu.ErrorCodeOf(err) != dayu.ENOTFOUND {
		t.Errorf("after Reset: FindOrder = %v, want ENOTFOUND", err)
	}
	if doc, err := s.Document(ctx(t), "world"); err != nil || string(doc) != "{}" {
		t.Errorf("after Reset: Document = %q, %v; want the document", doc, err)
	}
	if got, err := s.TokenKey(ctx(t), randomKey(t)); err != nil || !bytes.Equal(got, key) {
		t.Errorf("after Reset: TokenKey = %x, %v; want %x", got, err, key)
	}
	// The enterprise project and the ids are free again.
	buy(t, s, o, main)
}

func testDocuments(t *testing.T, h *harness) {
	s := h.store()
	if doc, err := s.Document(ctx(t), "world"); err != nil || doc != nil {
		t.Fatalf("Document on a fresh store = %q, %v; want nil, nil", doc, err)
	}
	first := []byte(`{"regions":[],"domains":[{"id":"d1","name":"数据"}]}`)
	if err := s.SaveDocument(ctx(t), "world", first); err != nil {
		t.Fatalf("SaveDocument: %v", err)
	}
	if doc, err := s.Document(ctx(t), "world"); err != nil || !bytes.Equal(doc, first) {
		t.Fatalf("Document = %q, %v; want %q", doc, err, first)
	}
	second := bytes.Repeat([]byte(`{"regions":[],"domains":[]}`), 2000) // any text, and larger
	if err := s.SaveDocument(ctx(t), "world", second); err != nil {
		t.Fatalf("SaveDocument again: %v", err)
	}
	if doc, err := s.Document(ctx(t), "world"); err != nil || !bytes.Equal(doc, second) {
		t.Fatalf("Document after the second SaveDocument: %d bytes, %v; want the second document (%d bytes)", len(doc), err, len(second))
	}
	// Names are separate.
	if doc, err := s.Document(ctx(t), "clock"); err != nil || doc != nil {
		t.Errorf("Document(clock) = %q, %v; want nil, nil", doc, err)
	}
	if err := s.SaveDocument(ctx(t), "clock", []byte("3600")); err != nil {
		t.Fatalf("SaveDocument(clock): %v", err)
	}
	if doc, err := s.Document(ctx(t), "world"); err != nil || !bytes.Equal(doc, second) {
		t.Errorf("Document(world) after SaveDocument(clock): %d bytes, %v; want the second document", len(doc), err)
	}
}

func randomKey(t *testing.T) []byte {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	k[0] = 0 // a leading zero byte must survive too
	return k
}

func testTokenKey(t *testing.T, h *harness) {
	s := h.store()
	first := randomKey(t)
	if got, err := s.TokenKey(ctx(t), first); err != nil || !bytes.Equal(got, first) {
		t.Fatalf("first TokenKey = %x, %v; want its fresh key %x", got, err, first)
	}
	for range 3 {
		if got, err := s.TokenKey(ctx(t), randomKey(t)); err != nil || !bytes.Equal(got, first) {
			t.Fatalf("later TokenKey = %x, %v; want the first key %x", got, err, first)
		}
	}
}

func testTokenKeyRace(t *testing.T, h *harness) {
	s := h.store()
	const n = 8
	fresh := make([][]byte, n)
	got := make([][]byte, n)
	errs := make([]error, n)
	c := ctx(t)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for k := range n {
		fresh[k] = randomKey(t)
		wg.Go(func() {
			<-start
			got[k], errs[k] = s.TokenKey(c, fresh[k])
		})
	}
	close(start)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("racing TokenKey: %v", err)
	}
	key := got[0]
	for k := range n {
		if !bytes.Equal(got[k], key) {
			t.Errorf("racing TokenKey returned different keys: %x and %x", key, got[k])
		}
	}
	if !slices.ContainsFunc(fresh, func(f []byte) bool { return bytes.Equal(f, key) }) {
		t.Errorf("racing TokenKey returned %x, none of the fresh keys", key)
	}
	if later, err := s.TokenKey(ctx(t), randomKey(t)); err != nil || !bytes.Equal(later, key) {
		t.Errorf("TokenKey after the race = %x, %v; want %x", later, err, key)
	}
}

func testPing(t *testing.T, h *harness) {
	s := h.store()
	if err := s.Ping(ctx(t)); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

// testIdempotencyKey: racing retries under one key store one purchase and
// all get its ids; another request under the key is EKEYREUSED; a key
// older than IdempotencyTTL buys anew.
func testIdempotencyKey(t *testing.T, h *harness) {
	s := h.store()
	c := ctx(t)
	const n = 20
	orders := make([]*dayu.Order, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for k := range n {
		o, i := purchase("p1", fmt.Sprintf("eps-%d", k)) // distinct eps: only the key makes them one
		o.IdempotencyKey, o.RequestHash = "key-1", "hash-1"
		orders[k] = o
		wg.Go(func() {
			<-start
			errs[k] = s.CreatePurchase(c, o, i)
		})
	}
	close(start)
	wg.Wait()
	for k, err := range errs {
		if err != nil {
			t.Fatalf("retry %d: %v", k, err)
		}
		if orders[k].ID != orders[0].ID || orders[k].ResourceID != orders[0].ResourceID {
			t.Errorf("retry %d answered %s/%s, retry 0 %s/%s", k, orders[k].ID, orders[k].ResourceID, orders[0].ID, orders[0].ResourceID)
		}
	}
	if got, total := list(t, s, "p1", 100, 0); total != 1 || got[0].ID != orders[0].ResourceID {
		t.Errorf("list = %v, total %d; want only %s", ids(got), total, orders[0].ResourceID)
	}
	o, i := purchase("p1", "eps-other")
	o.IdempotencyKey, o.RequestHash = "key-1", "hash-2"
	if err := s.CreatePurchase(c, o, i); dayu.ErrorCodeOf(err) != dayu.EKEYREUSED {
		t.Errorf("another request under the key: %v, want EKEYREUSED", err)
	}
	o, i = purchaseAt(clock.Add(dayu.IdempotencyTTL+time.Second), "p1", "eps-later")
	o.IdempotencyKey, o.RequestHash = "key-1", "hash-2"
	if err := s.CreatePurchase(c, o, i); err != nil || o.ResourceID != i.ID {
		t.Errorf("after the TTL: %v, resource %s; want a new purchase %s", err, o.ResourceID, i.ID)
	}
}

// BenchmarkCreatePurchase stores purchases from many goroutines at once, as
// a loaded server does, so that they share group commits: ns/op is the
// store's cost of one durable purchase. Each backend runs it on its store.
func BenchmarkCreatePurchase(b *testing.B, s dayu.Store) {
	var n atomic.Int64
	b.SetParallelism(32)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			o, i := purchase("bench", fmt.Sprintf("eps-%d", n.Add(1)))
			if err := s.CreatePurchase(context.Background(), o, i); err != nil {
				b.Fatal(err)
			}
		}
	})
}
