package dayu_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/sqlite"
)

func TestFaultRuleValidate(t *testing.T) {
	ok := func() dayu.FaultRule {
		return dayu.FaultRule{Operation: dayu.OpPayForDgcOneKey, Probability: 1, Error: &dayu.FaultError{Status: 503}}
	}
	for _, c := range []struct {
		edit func(*dayu.FaultRule)
		want string // "" for valid
	}{
		{func(*dayu.FaultRule) {}, ""},
		{func(r *dayu.FaultRule) { r.Operation = dayu.AnyOperation }, ""},
		{func(r *dayu.FaultRule) { r.Error, r.Latency = nil, time.Second }, ""},
		{func(r *dayu.FaultRule) { r.Operation = "" }, "operation"},
		{func(r *dayu.FaultRule) { r.Operation = "BuyEverything" }, "operation"},
		{func(r *dayu.FaultRule) { r.Probability = 0 }, "probability"},
		{func(r *dayu.FaultRule) { r.Probability = 1.5 }, "probability"},
		{func(r *dayu.FaultRule) { r.Count = -1 }, "count"},
		{func(r *dayu.FaultRule) { r.Latency = time.Hour }, "latency_ms"},
		{func(r *dayu.FaultRule) { r.Error.Status = 200 }, "error.status"},
		{func(r *dayu.FaultRule) { r.DropConnection = true }, "at most one"},
		{func(r *dayu.FaultRule) { r.Error = nil }, "needs an action"},
	} {
		r := ok()
		c.edit(&r)
		err := r.Validate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%+v: %v, want valid", r, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want) || dayu.ErrorCodeOf(err) != dayu.EINVALID):
			t.Errorf("%+v: %v, want EINVALID naming %q", r, err, c.want)
		}
	}
}

// TestFaultBookMatch: rules match by operation and project, a count is
// used up, an expired rule hits nothing, and one seed draws the same hits.
func TestFaultBookMatch(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.OpenMemory(ctx, sqlite.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	book, err := dayu.LoadFaults(ctx, s, 42)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := book.Match(ctx, dayu.OpPayForDgcOneKey, "p1", now); r != nil || err != nil {
		t.Fatalf("Match with no rules = %v, %v", r, err)
	}
	twice := &dayu.FaultRule{Operation: dayu.OpPayForDgcOneKey, ProjectID: "p1", Probability: 1, Count: 2, DropConnection: true}
	if err := book.Add(ctx, twice, now, 0); err != nil {
		t.Fatal(err)
	}
	brief := &dayu.FaultRule{Operation: dayu.AnyOperation, Probability: 1, Latency: time.Millisecond}
	if err := book.Add(ctx, brief, now, time.Minute); err != nil {
		t.Fatal(err)
	}
	var hits []string
	for _, call := range []struct {
		op      dayu.Operation
		project string
		at      time.Time
	}{
		{dayu.OpPayForDgcOneKey, "p2", now},                            // brief: another project
		{dayu.OpPayForDgcOneKey, "p1", now},                            // twice
		{dayu.OpListDataArtsStudioInstances, "p1", now},                // brief
		{dayu.OpPayForDgcOneKey, "p1", now},                            // twice, its last
		{dayu.OpPayForDgcOneKey, "p1", now},                            // brief
		{dayu.OpPayForDgcOneKey, "p1", now.Add(time.Minute)},           // none: brief expired
		{dayu.OpListDataArtsStudioInstances, "p1", now.Add(time.Hour)}, // none
	} {
		r, err := book.Match(ctx, call.op, call.project, call.at)
		if err != nil {
			t.Fatal(err)
		}
		switch r {
		case nil:
			hits = append(hits, "-")
		default:
			hits = append(hits, map[string]string{twice.ID: "twice", brief.ID: "brief"}[r.ID])
		}
	}
	if got := strings.Join(hits, " "); got != "brief twice brief twice brief - -" {
		t.Errorf("hits = %s", got)
	}
	list, err := book.List(ctx, now)
	if err != nil || len(list) != 2 || list[0].Remaining != 0 {
		t.Errorf("List = %+v, %v; want both rules, the counted one with 0 remaining", list, err)
	}

	draws := func(seed uint64) string {
		b, err := dayu.LoadFaults(ctx, s, seed)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Clear(ctx); err != nil {
			t.Fatal(err)
		}
		if err := b.Add(ctx, &dayu.FaultRule{Operation: dayu.AnyOperation, Probability: 0.5, Latency: time.Millisecond}, now, 0); err != nil {
			t.Fatal(err)
		}
		var out []byte
		for range 64 {
			r, err := b.Match(ctx, dayu.OpPayForDgcOneKey, "p1", now)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, map[bool]byte{true: '1', false: '0'}[r != nil])
		}
		return string(out)
	}
	a, b := draws(7), draws(7)
	if a != b {
		t.Errorf("seed 7 drew %s, then %s", a, b)
	}
	if n := strings.Count(a, "1"); n < 16 || n > 48 {
		t.Errorf("probability 0.5 hit %d of 64 calls", n)
	}
}
