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
	"maps"
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
		{"CountOverTime", testCountOverTime},
		{"ListDeep", testListDeep},
		{"Resources", testResources},
		{"QueryResources", testQueryResources},
		{"Unsubscribe", testUnsubscribe},
		{"RaceUnsubscribe", testRaceUnsubscribe},
		{"Reset", testReset},
		{"Documents", testDocuments},
		{"Timings", testTimings},
		{"TimingsTwoNodes", testTimingsTwoNodes},
		{"FaultRules", testFaultRules},
		{"TestClocks", testTestClocks},
		{"TokenKey", testTokenKey},
		{"TokenKeyRace", testTokenKeyRace},
		{"IdempotencyKey", testIdempotencyKey},
		{"Ping", testPing},
		{"Observe", testObserve},
	}
	for _, tt := range slices.Concat(tests, lifecycleTests, stateTests, networkTests, listCacheTests) {
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
	got, err := s.Resources(ctx(t), domain, dayu.ResourceFilter{ResourceIDs: []string{id}, OnlyMain: true})
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
	unsubscribe(t, s, []*dayu.Instance{ended}, nil)

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

// testCountOverTime: the list's count is that of the instances listed at the
// time asked, whatever mix of projects, packages, renewing and ending
// instances the concurrent purchases stored, and stays so after a restart.
func testCountOverTime(t *testing.T, h *harness) {
	s := h.store()
	var all []*dayu.Instance
	var mu sync.Mutex
	var wg sync.WaitGroup
	for k := range 60 {
		wg.Go(func() {
			project := []string{"p1", "p2"}[k%2]
			o, i := purchaseAt(clock.Add(time.Duration(k)*24*time.Hour), project, fmt.Sprintf("eps-%d", k))
			if k%3 != 0 {
				noRenew(i)
			}
			buy(t, s, o, i)
			mu.Lock()
			all = append(all, i)
			mu.Unlock()
		})
	}
	wg.Wait()
	main := all[slices.IndexFunc(all, func(i *dayu.Instance) bool { return i.ProjectID == "p1" && i.GoneAt.IsZero() })]
	o, ext := pkg("p1", main.EpsID, main.ID)
	buy(t, s, o, ext)
	all = append(all, ext)
	check := func(s dayu.Store, when string) {
		t.Helper()
		for _, now := range []time.Time{later, all[5].GoneAt, all[40].GoneAt.Add(-time.Millisecond), all[40].GoneAt, all[59].GoneAt.Add(time.Hour)} {
			for _, project := range []string{"p1", "p2", "p3"} {
				want := 0
				for _, i := range all {
					if i.ProjectID == project && (i.GoneAt.IsZero() || now.Before(i.GoneAt)) {
						want++
					}
				}
				got, total := listAt(t, s, project, 1000, 0, now)
				if total != want || len(got) != want {
					t.Errorf("%s, %s at %s: %d listed, count %d; want %d", when, project, now.Format(time.RFC3339), len(got), total, want)
				}
			}
		}
	}
	check(s, "stored")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	check(h.store(), "after a restart")
}

// testListDeep: every page of a project of 1,050 instances, the first ones
// and those past the thousandth, is the project's instances newest first,
// at times when some of the newest are gone; a purchase and an
// unsubscription show on the next page read, as stored.
func testListDeep(t *testing.T, h *harness) {
	s := h.store()
	const n = 1050
	jobs := make(chan int, n)
	for k := range n {
		jobs <- k
	}
	close(jobs)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for k := range jobs {
				o, i := purchaseAt(clock.Add(time.Duration(k)*time.Hour), "p1", fmt.Sprintf("eps-%d", k))
				if k%2 == 0 {
					noRenew(i)
				}
				buy(t, s, o, i)
			}
		})
	}
	wg.Wait()
	stored, err := s.Resources(ctx(t), "domain-p1", dayu.ResourceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(stored) // the list's order: newest first
	check := func(when string, now time.Time) {
		t.Helper()
		var want []string
		for _, i := range stored {
			if i.GoneAt.IsZero() || now.Before(i.GoneAt) {
				want = append(want, i.ID)
			}
		}
		var got []string
		for offset := 0; offset < len(want)+100; offset += 100 {
			page, total := listAt(t, s, "p1", 100, offset, now)
			if total != len(want) {
				t.Fatalf("%s: offset %d: count %d, want %d", when, offset, total, len(want))
			}
			got = append(got, ids(page)...)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s: the pages hold %d instances, want the %d listed newest first", when, len(got), len(want))
		}
		if page, _ := listAt(t, s, "p1", 30, 990, now); !slices.Equal(ids(page), want[min(990, len(want)):min(1020, len(want))]) {
			t.Errorf("%s: the page of 30 from 990 is not the 990th to the 1,020th listed", when)
		}
	}
	check("all stored", later)
	// The older half of the non-renewing instances are gone by then: the
	// pages skip them, in the newest thousand and past it.
	mid := stored[slices.IndexFunc(stored, func(i *dayu.Instance) bool { return i.EpsID == "eps-600" })]
	check("some gone", mid.GoneAt)

	o, fresh := purchaseAt(clock.Add(n*time.Hour), "p1", "eps-fresh")
	buy(t, s, o, fresh)
	if page, total := list(t, s, "p1", 1, 0); total != n+1 || len(page) != 1 || page[0].ID != fresh.ID {
		t.Fatalf("after a purchase: count %d, first %v; want %d, %s", total, ids(page), n+1, fresh.ID)
	}
	now := later.Truncate(time.Millisecond).UTC()
	u := *fresh
	u.AutoRenewUntil, u.UnsubscribedAt, u.GoneAt = now, now, now.Add(time.Hour)
	unsub := &dayu.Order{ID: "CS-unsubscribe-deep", Type: dayu.OrderUnsubscribe, DomainID: u.DomainID,
		ProjectID: "p1", ResourceID: u.ID, CreatedAt: now, CompletedAt: u.GoneAt}
	if lost := unsubscribe(t, s, []*dayu.Instance{&u}, []*dayu.Order{unsub}); len(lost) != 0 {
		t.Fatalf("SaveUnsubscriptions lost %v", lost)
	}
	page, _ := list(t, s, "p1", 1, 0)
	if len(page) != 1 {
		t.Fatalf("after the unsubscription: list %v", ids(page))
	}
	same(t, "listed after its unsubscription", page[0], &u)
	if page, total := listAt(t, s, "p1", 1, 0, u.GoneAt); total != n || len(page) != 1 || page[0].ID == u.ID {
		t.Errorf("once the unsubscribed instance is gone: count %d, first %v; want %d without it", total, ids(page), n)
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
		{"the whole domain", dayu.ResourceFilter{}, []string{a.ID, b.ID, aExt.ID, bExt.ID}},
		{"main resources", dayu.ResourceFilter{OnlyMain: true}, []string{a.ID, b.ID}},
		{"an order", dayu.ResourceFilter{OrderID: o1.ID}, []string{a.ID}},
		{"ids and their packages", dayu.ResourceFilter{ResourceIDs: []string{bExt.ID, a.ID, uuid.NewString()}}, []string{a.ID, aExt.ID, bExt.ID}},
		{"ids only", dayu.ResourceFilter{ResourceIDs: []string{bExt.ID, a.ID}, OnlyMain: true}, []string{a.ID, bExt.ID}},
		{"an order and an id of another order", dayu.ResourceFilter{OrderID: o1.ID, ResourceIDs: []string{b.ID}}, nil},
		{"an order and its id", dayu.ResourceFilter{OrderID: o1.ID, ResourceIDs: []string{a.ID}}, []string{a.ID}},
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

// testQueryResources: BSS's query pages through what its filter selects
// that is provisioned at its time, with and without the filters that
// follow from the lifecycle (statuses, expiry), and counts them all.
func testQueryResources(t *testing.T, h *harness) {
	s := h.store()
	var mains []*dayu.Instance // oldest first
	for n := range 6 {
		o, i := purchase("p1", fmt.Sprintf("eps-%d", n))
		if n%2 == 1 {
			noRenew(i)
		}
		buy(t, s, o, i)
		mains = append(mains, i)
	}
	o, ext := pkg("p1", "eps-0", mains[0].ID) // 3 months, no renewals
	buy(t, s, o, ext)
	o, theirs := purchase("p2", "eps-0") // another domain
	buy(t, s, o, theirs)
	o, late := purchaseAt(later, "p1", "eps-late") // not provisioned at later
	buy(t, s, o, late)
	ended := *mains[2]
	ended.AutoRenewUntil, ended.UnsubscribedAt, ended.GoneAt = later, later, later.Add(time.Minute)
	unsubscribe(t, s, []*dayu.Instance{&ended}, nil)
	all := append(ids(mains), ext.ID)
	expiry := mains[0].ExpiresAt // every main's first term ends then; the package's before
	lapsed := expiry.Add(time.Hour)
	domain := mains[0].DomainID

	for _, c := range []struct {
		name string
		q    dayu.ResourceQuery
		want []string // the whole selection, oldest first
	}{
		{"everything", dayu.ResourceQuery{At: later}, all},
		{"main resources", dayu.ResourceQuery{ResourceFilter: dayu.ResourceFilter{OnlyMain: true}, At: later}, ids(mains)},
		{"an id and its package", dayu.ResourceQuery{ResourceFilter: dayu.ResourceFilter{ResourceIDs: []string{mains[0].ID}}, At: later}, []string{mains[0].ID, ext.ID}},
		{"not yet provisioned", dayu.ResourceQuery{ResourceFilter: dayu.ResourceFilter{ResourceIDs: []string{late.ID}}, At: later}, nil},
		{"provisioned since", dayu.ResourceQuery{ResourceFilter: dayu.ResourceFilter{ResourceIDs: []string{late.ID}}, At: later.Add(provisioning)}, []string{late.ID}},
		{"in use", dayu.ResourceQuery{Statuses: []dayu.ResourceStatus{dayu.ResourceInUse}, At: later}, []string{mains[0].ID, mains[1].ID, mains[3].ID, mains[4].ID, mains[5].ID, ext.ID}},
		{"closed", dayu.ResourceQuery{Statuses: []dayu.ResourceStatus{dayu.ResourceClosed}, At: later}, []string{mains[2].ID}},
		{"closed and gone", dayu.ResourceQuery{Statuses: []dayu.ResourceStatus{dayu.ResourceClosed}, At: later.Add(time.Hour)}, []string{mains[2].ID}},
		{"expired after the first term", dayu.ResourceQuery{Statuses: []dayu.ResourceStatus{dayu.ResourceExpired}, At: lapsed}, []string{mains[1].ID, mains[3].ID, mains[5].ID}},
		{"in use after the first term", dayu.ResourceQuery{ResourceFilter: dayu.ResourceFilter{OnlyMain: true}, Statuses: []dayu.ResourceStatus{dayu.ResourceInUse}, At: lapsed}, []string{mains[0].ID, mains[4].ID, late.ID}},
		{"expiring by the first expiry", dayu.ResourceQuery{ExpireTo: expiry, At: later}, all},
		{"expiring after the package", dayu.ResourceQuery{ExpireFrom: ext.ExpiresAt.Add(time.Second), At: later}, ids(mains)},
		{"expiring with the package", dayu.ResourceQuery{ExpireFrom: ext.ExpiresAt, ExpireTo: ext.ExpiresAt, At: later}, []string{ext.ID}},
		{"renewed past the bound", dayu.ResourceQuery{ResourceFilter: dayu.ResourceFilter{OnlyMain: true}, ExpireTo: expiry, At: lapsed}, []string{mains[1].ID, mains[2].ID, mains[3].ID, mains[5].ID}},
		{"another domain's", dayu.ResourceQuery{ResourceFilter: dayu.ResourceFilter{ResourceIDs: []string{theirs.ID}}, At: later}, nil},
	} {
		for _, p := range []dayu.Page{{Limit: 100}, {Limit: 2}, {Limit: 2, Offset: 2}, {Limit: 3, Offset: 5}, {Limit: 1, Offset: 100}} {
			q := c.q
			q.Page = p
			got, total, err := s.QueryResources(ctx(t), domain, q)
			if err != nil {
				t.Fatalf("QueryResources(%s, %+v): %v", c.name, p, err)
			}
			want := c.want[min(p.Offset, len(c.want)):min(p.Offset+p.Limit, len(c.want))]
			if total != len(c.want) || !slices.Equal(ids(got), want) {
				t.Errorf("QueryResources(%s, %+v) = %v, total %d; want %v, total %d", c.name, p, ids(got), total, want, len(c.want))
			}
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
	if lost := unsubscribe(t, s, []*dayu.Instance{&m, &e}, []*dayu.Order{unsub}); len(lost) != 0 {
		t.Fatalf("SaveUnsubscriptions lost %v", lost)
	}
	same(t, "unsubscribed instance", find(t, s, main.DomainID, main.ID), &m)
	same(t, "unsubscribed package", find(t, s, main.DomainID, ext.ID), &e)
	got, err := s.FindOrder(ctx(t), main.DomainID, unsub.ID)
	if err != nil {
		t.Fatalf("FindOrder(unsubscribe order): %v", err)
	}
	same(t, "unsubscribe order", got, unsub)

	// Unsubscribing it again (as a request that read it before the first
	// was stored does) is lost and changes nothing, its order included;
	// the rest of that request is stored.
	o, other := purchase("p1", "eps-2")
	buy(t, s, o, other)
	again := &dayu.Order{ID: "CS-unsubscribe-2", Type: dayu.OrderUnsubscribe, DomainID: main.DomainID,
		ProjectID: "p1", ResourceID: main.ID, CreatedAt: now, CompletedAt: gone}
	otherOrder := &dayu.Order{ID: "CS-unsubscribe-3", Type: dayu.OrderUnsubscribe, DomainID: main.DomainID,
		ProjectID: "p1", ResourceID: other.ID, CreatedAt: now, CompletedAt: gone}
	m2, o2 := m, *other
	m2.UnsubscribedAt, m2.GoneAt = now.Add(time.Second), gone.Add(time.Second)
	o2.AutoRenewUntil, o2.UnsubscribedAt, o2.GoneAt = now, now, gone
	if lost := unsubscribe(t, s, []*dayu.Instance{&o2, &m2}, []*dayu.Order{again, otherOrder}); !slices.Equal(lost, []string{main.ID}) {
		t.Errorf("second SaveUnsubscriptions lost %v, want [%s]", lost, main.ID)
	}
	same(t, "instance after the lost unsubscription", find(t, s, main.DomainID, main.ID), &m)
	if _, err := s.FindOrder(ctx(t), main.DomainID, again.ID); dayu.ErrorCodeOf(err) != dayu.ENOTFOUND {
		t.Errorf("FindOrder(lost unsubscribe order) = %v, want ENOTFOUND", err)
	}
	same(t, "the other instance of the request", find(t, s, main.DomainID, other.ID), &o2)
	if got, err := s.FindOrder(ctx(t), main.DomainID, otherOrder.ID); err != nil {
		t.Errorf("FindOrder(the other order of the request): %v", err)
	} else {
		same(t, "the other order of the request", got, otherOrder)
	}

	// Once gone, the enterprise project is free.
	o, next := purchaseAt(gone, "p1", "eps-1")
	buy(t, s, o, next)
}

// unsubscribe stores unsubscriptions that must not fail and returns the
// ids they lost.
func unsubscribe(t *testing.T, s dayu.Store, changed []*dayu.Instance, orders []*dayu.Order) []string {
	t.Helper()
	lost, err := s.SaveUnsubscriptions(ctx(t), changed, orders)
	if err != nil {
		t.Fatalf("SaveUnsubscriptions: %v", err)
	}
	return lost
}

// testRaceUnsubscribe: unsubscriptions that race over the same instances
// (in different orders) all succeed, each instance is changed by exactly
// one of them, and only that one's order about it is stored.
func testRaceUnsubscribe(t *testing.T, h *harness) {
	s := h.store()
	const mains, racers = 4, 8
	var bought []*dayu.Instance // each main, then its package
	for n := range mains {
		o, i := purchase("p1", fmt.Sprintf("eps-%d", n))
		buy(t, s, o, i)
		o, p := pkg("p1", fmt.Sprintf("eps-%d", n), i.ID)
		buy(t, s, o, p)
		bought = append(bought, i, p)
	}
	type racer struct {
		changed []*dayu.Instance
		orders  []*dayu.Order
		lost    []string
		err     error
	}
	rs := make([]*racer, racers)
	for k := range rs {
		r := &racer{}
		at := later.Add(time.Duration(k) * time.Second).Truncate(time.Millisecond).UTC()
		for n := range bought {
			i := *bought[(n+2*k)%len(bought)] // each racer in another order
			i.UnsubscribedAt, i.GoneAt = at, at.Add(time.Minute)
			if !i.IsPackage() {
				i.AutoRenewUntil = at
				r.orders = append(r.orders, &dayu.Order{ID: fmt.Sprintf("CS-unsubscribe-%d-%s", k, i.ID), Type: dayu.OrderUnsubscribe,
					DomainID: i.DomainID, ProjectID: i.ProjectID, ResourceID: i.ID, CreatedAt: at, CompletedAt: i.GoneAt})
			}
			r.changed = append(r.changed, &i)
		}
		rs[k] = r
	}
	c := ctx(t)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for _, r := range rs {
		wg.Go(func() {
			<-start
			r.lost, r.err = s.SaveUnsubscriptions(c, r.changed, r.orders)
		})
	}
	close(start)
	wg.Wait()
	for _, want := range bought {
		var winners []*dayu.Instance
		for k, r := range rs {
			if r.err != nil {
				t.Fatalf("racer %d: %v", k, r.err)
			}
			if !slices.Contains(r.lost, want.ID) {
				winners = append(winners, r.changed[slices.IndexFunc(r.changed, func(i *dayu.Instance) bool { return i.ID == want.ID })])
			}
			for _, o := range r.orders {
				if o.ResourceID != want.ID {
					continue
				}
				_, err := s.FindOrder(c, o.DomainID, o.ID)
				if stored := err == nil; stored == slices.Contains(r.lost, want.ID) {
					t.Errorf("racer %d: order about %s stored %v, lost %v (%v)", k, want.ID, stored, r.lost, err)
				}
			}
		}
		if len(winners) != 1 {
			t.Errorf("%s was changed by %d racers, want 1", want.ID, len(winners))
			continue
		}
		same(t, "the raced instance", find(t, s, want.DomainID, want.ID), winners[0])
	}
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
	if err := s.Reset(ctx(t), nil); err != nil {
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

func testTimings(t *testing.T, h *harness) {
	s := h.store()
	if got, err := s.Timings(ctx(t)); err != nil || len(got) != 0 {
		t.Fatalf("Timings on a fresh store = %v, %v; want none", got, err)
	}
	def := dayu.Timings{Provisioning: 1500 * time.Millisecond, Deletion: 2 * time.Second, Grace: 3 * time.Hour, Retention: 4 * time.Hour}
	p1 := dayu.Timings{Provisioning: time.Second}
	for project, tm := range map[string]dayu.Timings{"": def, "p1": {Grace: time.Minute}} {
		if err := s.SaveTimings(ctx(t), project, tm); err != nil {
			t.Fatalf("SaveTimings(%q): %v", project, err)
		}
	}
	if err := s.SaveTimings(ctx(t), "p1", p1); err != nil { // replaces p1's
		t.Fatalf("SaveTimings(p1) again: %v", err)
	}
	want := map[string]dayu.Timings{"": def, "p1": p1}
	if got, err := s.Timings(ctx(t)); err != nil || !maps.Equal(got, want) {
		t.Fatalf("Timings = %v, %v; want %v", got, err, want)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got, err := h.store().Timings(ctx(t)); err != nil || !maps.Equal(got, want) {
		t.Errorf("after restart, Timings = %v, %v; want %v", got, err, want)
	}
}

// testTimingsTwoNodes: two nodes that each change another project's
// timings before either reads the other's change both keep theirs.
func testTimingsTwoNodes(t *testing.T, h *harness) {
	s := h.store()
	base := dayu.DefaultTimings
	a, err := dayu.LoadTimings(ctx(t), s, base)
	if err != nil {
		t.Fatal(err)
	}
	b, err := dayu.LoadTimings(ctx(t), s, base)
	if err != nil {
		t.Fatal(err)
	}
	ta, tb := dayu.Timings{Provisioning: time.Second}, dayu.Timings{Provisioning: 2 * time.Second}
	if err := a.Set(ctx(t), "pa", ta); err != nil {
		t.Fatal(err)
	}
	if err := b.Set(ctx(t), "pb", tb); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	after, err := dayu.LoadTimings(ctx(t), h.store(), base)
	if err != nil {
		t.Fatal(err)
	}
	if got := after.For("pa"); got != ta {
		t.Errorf("after restart, pa's timings = %v, want %v (lost to the other node's change)", got, ta)
	}
	if got := after.For("pb"); got != tb {
		t.Errorf("after restart, pb's timings = %v, want %v", got, tb)
	}
	if got := after.For("other"); got != base {
		t.Errorf("a project without timings = %v, want the default %v", got, base)
	}
}

// testFaultRules: rules round-trip whole and in order, survive a restart,
// and racing takers share a counted rule's hits exactly.
func testFaultRules(t *testing.T, h *harness) {
	s := h.store()
	created := clock.UTC().Truncate(time.Millisecond)
	counted := &dayu.FaultRule{ID: "r1", Operation: dayu.OpPayForDgcOneKey, ProjectID: "p1", Probability: 0.25,
		Count: 5, Remaining: 5, Latency: 1500 * time.Millisecond, Error: &dayu.FaultError{Status: 503, Code: "APIGW.0999", Message: "服务不可用"},
		CreatedAt: created, ExpiresAt: created.Add(time.Hour)}
	lose := &dayu.FaultRule{ID: "r2", Operation: dayu.AnyOperation, Probability: 1, LoseResponse: true, CreatedAt: created}
	for _, r := range []*dayu.FaultRule{counted, lose} {
		if err := s.AddFaultRule(ctx(t), r); err != nil {
			t.Fatalf("AddFaultRule(%s): %v", r.ID, err)
		}
	}
	got, err := s.FaultRules(ctx(t))
	if err != nil || len(got) != 2 || !reflect.DeepEqual(got[0], counted) || !reflect.DeepEqual(got[1], lose) {
		t.Fatalf("FaultRules = %+v, %v; want the two rules as stored, oldest first", got, err)
	}
	var took atomic.Int64
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			ok, err := s.TakeFaultHit(ctx(t), "r1")
			if err != nil {
				t.Errorf("TakeFaultHit: %v", err)
			}
			if ok {
				took.Add(1)
			}
		})
	}
	wg.Wait()
	if took.Load() != 5 {
		t.Errorf("20 racing takers of a rule with 5 hits took %d", took.Load())
	}
	if ok, err := s.TakeFaultHit(ctx(t), "gone"); ok || err != nil {
		t.Errorf("TakeFaultHit of no rule = %v, %v; want false, nil", ok, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = h.store()
	got, err = s.FaultRules(ctx(t))
	if err != nil || len(got) != 2 || got[0].Remaining != 0 {
		t.Fatalf("after restart: FaultRules = %+v, %v; want both, r1 with 0 remaining", got, err)
	}
	if err := s.DeleteFaultRule(ctx(t), "r1"); err != nil {
		t.Fatalf("DeleteFaultRule: %v", err)
	}
	if err := s.DeleteFaultRule(ctx(t), "r1"); !errors.Is(err, dayu.ErrFaultRuleNotFound) {
		t.Errorf("DeleteFaultRule again = %v, want ErrFaultRuleNotFound", err)
	}
	if err := s.Reset(ctx(t), nil); err != nil {
		t.Fatal(err)
	}
	if got, err := s.FaultRules(ctx(t)); err != nil || len(got) != 0 {
		t.Errorf("after Reset: FaultRules = %+v, %v; want none", got, err)
	}
	if err := s.AddFaultRule(ctx(t), lose); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteFaultRules(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if got, err := s.FaultRules(ctx(t)); err != nil || len(got) != 0 {
		t.Errorf("after DeleteFaultRules: %+v, %v; want none", got, err)
	}
}

// testTestClocks: a test clock is stored only as a change of the version it
// was read at, and the clocks of two nodes advancing one domain at once
// both count.
func testTestClocks(t *testing.T, h *harness) {
	s := h.store()
	tc := &dayu.TestClock{DomainID: "d1", Offset: time.Hour}
	if err := s.SaveTestClock(ctx(t), tc); err != nil || tc.Version != 1 {
		t.Fatalf("SaveTestClock (new) = %v, version %d; want nil, 1", err, tc.Version)
	}
	stale := &dayu.TestClock{DomainID: "d1", Offset: time.Minute}
	if err := s.SaveTestClock(ctx(t), stale); !errors.Is(err, dayu.ErrClockChanged) {
		t.Errorf("a second new clock of d1 = %v, want ErrClockChanged", err)
	}
	frozenAt := clock.UTC().Truncate(time.Millisecond)
	tc.Frozen, tc.FrozenAt = true, frozenAt
	if err := s.SaveTestClock(ctx(t), tc); err != nil || tc.Version != 2 {
		t.Fatalf("SaveTestClock (change) = %v, version %d; want nil, 2", err, tc.Version)
	}
	old := &dayu.TestClock{DomainID: "d1", Version: 1}
	if err := s.SaveTestClock(ctx(t), old); !errors.Is(err, dayu.ErrClockChanged) {
		t.Errorf("a change of version 1 after version 2 = %v, want ErrClockChanged", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = h.store()
	got, err := s.TestClocks(ctx(t))
	want := []*dayu.TestClock{{DomainID: "d1", Offset: time.Hour, Frozen: true, FrozenAt: frozenAt, Version: 2}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("after restart, TestClocks = %+v, %v; want %+v", got, err, want)
	}

	server := dayu.WallClock{}
	a, err := dayu.LoadClocks(ctx(t), s, server)
	if err != nil {
		t.Fatal(err)
	}
	b, err := dayu.LoadClocks(ctx(t), s, server)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, node := range []*dayu.Clocks{a, b, a, b} {
		wg.Go(func() {
			if _, err := node.Advance(ctx(t), "d2", time.Hour); err != nil {
				t.Errorf("Advance: %v", err)
			}
		})
	}
	wg.Wait()
	if err := a.Reload(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if got := a.Get("d2"); got == nil || got.Offset != 4*time.Hour {
		t.Errorf("four racing advances of an hour from two nodes: %+v, want 4h ahead", got)
	}

	if err := s.Reset(ctx(t), nil); err != nil {
		t.Fatal(err)
	}
	if got, err := s.TestClocks(ctx(t)); err != nil || len(got) != 0 {
		t.Errorf("after Reset: TestClocks = %+v, %v; want none", got, err)
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
