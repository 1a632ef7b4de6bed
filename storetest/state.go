package storetest

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/dayu-emu/dayu"
)

// stateTests are the conformance tests of the state's dump and replace.
var stateTests = []struct {
	name string
	fn   func(t *testing.T, h *harness)
}{
	{"StateDumpAndReplace", testStateDumpAndReplace},
}

// dumped is the store's state as a document, for comparing.
func dumped(t *testing.T, s dayu.Store) ([]byte, *dayu.State) {
	t.Helper()
	st, err := s.DumpState(ctx(t), time.Time{})
	if err != nil {
		t.Fatalf("DumpState: %v", err)
	}
	doc, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	return doc, st
}

// testStateDumpAndReplace: a dump holds every row as stored, in order; a
// replace stores exactly the state given; a replace that fails midway
// changes nothing.
func testStateDumpAndReplace(t *testing.T, h *harness) {
	s := h.store()
	o1, i1 := purchase("p1", "eps-1", dayu.Tag{Key: "team", Value: "数据"})
	o2, i2 := pkg("p1", "eps-1", i1.ID)
	o3, i3 := purchase("p1", "eps-2")
	o1.IdempotencyKey, o1.RequestHash = "key-1", "hash-1"
	for _, p := range []struct {
		o *dayu.Order
		i *dayu.Instance
	}{{o1, i1}, {o2, i2}, {o3, i3}} {
		buy(t, s, p.o, p.i)
	}
	ws := &dayu.Workspace{ID: "ws1", InstanceID: i1.ID, ProjectID: "p1", DomainID: i1.DomainID, Name: "etl", EpsID: "eps-1",
		CreateUser: "alice", UpdateUser: "alice", CreatedAt: later.UTC().Truncate(time.Millisecond), UpdatedAt: later.UTC().Truncate(time.Millisecond)}
	if err := s.CreateWorkspace(ctx(t), ws); err != nil {
		t.Fatal(err)
	}
	rule := &dayu.FaultRule{ID: "r1", Operation: dayu.OpPayForDgcOneKey, Probability: 1, Count: 3, Remaining: 2,
		Error: &dayu.FaultError{Status: 503}, CreatedAt: clock.UTC().Truncate(time.Millisecond)}
	if err := s.AddFaultRule(ctx(t), rule); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveTimings(ctx(t), "p1", dayu.Timings{Provisioning: time.Second, Grace: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveTestClock(ctx(t), &dayu.TestClock{DomainID: i1.DomainID, Offset: time.Minute}); err != nil {
		t.Fatal(err)
	}

	vpc, _, _ := createNetwork(t, s, "p1")

	before, st := dumped(t, s)
	if len(st.NetworkResources) != 3 {
		t.Fatalf("network resources dumped: %d, want the VPC, the subnet and the security group", len(st.NetworkResources))
	}
	for _, r := range st.NetworkResources {
		if r.ID == vpc.ID {
			same(t, "the dumped VPC", r, vpc)
		}
	}
	if len(st.Instances) != 3 || st.Instances[0].ID != i1.ID || st.Instances[1].ID != i2.ID || st.Instances[2].ID != i3.ID {
		t.Fatalf("instances dumped %+v, want the three in the order bought", st.Instances)
	}
	same(t, "the dumped instance", st.Instances[0].Instance, i1)
	if !st.Instances[0].HoldsEnterpriseProject || st.Instances[1].HoldsEnterpriseProject {
		t.Errorf("holds_enterprise_project: instance %v, package %v", st.Instances[0].HoldsEnterpriseProject, st.Instances[1].HoldsEnterpriseProject)
	}
	if len(st.Orders) != 3 || len(st.Workspaces) != 1 || len(st.FaultRules) != 1 || st.FaultRules[0].Remaining != 2 ||
		len(st.TestClocks) != 1 || st.Timings["p1"].Grace != time.Hour || len(st.IdempotencyKeys) != 1 || st.IdempotencyKeys[0].OrderID != o1.ID {
		t.Errorf("dumped %s", before)
	}
	if keys, err := s.DumpState(ctx(t), clock.Add(time.Hour)); err != nil || len(keys.IdempotencyKeys) != 0 {
		t.Errorf("keys stored before keysSince were dumped: %+v, %v", keys, err)
	}

	// A replace that fails at its last row (a duplicate instance id) leaves
	// everything as it was.
	broken := *st
	broken.Instances = append(broken.Instances[:3:3], broken.Instances[0])
	if err := s.ReplaceState(ctx(t), &broken, map[string][]byte{"clock": []byte("1")}); err == nil {
		t.Fatal("ReplaceState with a duplicate instance succeeded")
	}
	if after, _ := dumped(t, s); !bytes.Equal(after, before) {
		t.Errorf("a failed replace changed the state:\n%s\n%s", before, after)
	}
	if doc, err := s.Document(ctx(t), "clock"); err != nil || doc != nil {
		t.Errorf("a failed replace stored its document: %s, %v", doc, err)
	}

	// Without the third instance: exactly that is stored, and its
	// enterprise project is free again.
	smaller := *st
	smaller.Instances, smaller.Orders = st.Instances[:2], st.Orders[:0]
	for _, o := range st.Orders {
		if o.ID != o3.ID {
			smaller.Orders = append(smaller.Orders, o)
		}
	}
	if err := s.ReplaceState(ctx(t), &smaller, map[string][]byte{"clock": []byte("1")}); err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(&smaller)
	if got, _ := dumped(t, s); !bytes.Equal(got, want) {
		t.Errorf("replaced with\n%s\ndumped\n%s", want, got)
	}
	if doc, err := s.Document(ctx(t), "clock"); err != nil || string(doc) != "1" {
		t.Errorf("document after the replace: %s, %v", doc, err)
	}
	o4, i4 := purchase("p1", "eps-2")
	buy(t, s, o4, i4)
	o5, i5 := purchase("p1", "eps-1")
	refused(t, s, o5, i5, dayu.ECONFLICT)
}
