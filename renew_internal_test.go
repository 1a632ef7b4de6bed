package dayu

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

const day = 24 * time.Hour

// monthly is an instance bought on 31 December 2025 for one month, in
// effect at once (its first term ends on 31 January), with a grace and a
// retention period of 10 days each.
func monthly(autoRenew bool) *Instance {
	bought := time.Date(2025, 12, 31, 10, 0, 0, 0, time.UTC)
	i := &Instance{ID: "i-1", OrderID: "CS1", CreatedAt: bought, EffectiveAt: bought, PeriodType: PeriodMonth, PeriodNum: 1,
		ExpiresAt: AddPeriod(bought, PeriodMonth, 1), Grace: 10 * day, Retention: 10 * day}
	if !autoRenew {
		i.AutoRenewUntil = bought
		i.GoneAt = i.goneAt()
	}
	return i
}

// history is what the instance shows at each time: its term's end, its
// status, whether it is gone, and its renewal orders so far (the settled
// ones given, then the derived ones).
func history(i *Instance, settled []*Order, times []time.Time) string {
	var b strings.Builder
	for _, t := range times {
		exp, _ := i.Term(t)
		gone := !i.GoneAt.IsZero() && !t.Before(i.GoneAt)
		fmt.Fprintf(&b, "%s: ends %s, status %d, gone %t, renewals", t.Format(time.DateOnly), exp.Format(time.DateOnly), i.Status(t), gone)
		for _, o := range append(append([]*Order{}, settled...), i.RenewalOrders(t)...) {
			if !o.CreatedAt.After(t) {
				fmt.Fprintf(&b, " %s@%s", o.ID, o.CreatedAt.Format(time.DateOnly))
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// after are times from from to a year later, every 9 days.
func after(from time.Time) []time.Time {
	var out []time.Time
	for t := from; t.Before(from.AddDate(1, 0, 0)); t = t.Add(9 * day) {
		out = append(out, t)
	}
	return out
}

// TestSettleChangesNothing: settling stores what was derived; from then on
// the instance shows the same terms, statuses and renewal orders (ids and
// times) as if it had not been settled.
func TestSettleChangesNothing(t *testing.T) {
	for _, renewing := range []bool{true, false} {
		i := monthly(renewing)
		at := time.Date(2026, 4, 15, 0, 0, 0, 0, time.UTC)
		want := history(i, nil, after(at))
		settled := i.settle(at)
		if renewing && (len(settled) != 3 || i.AutoRenewals != 3 || i.RenewedMonths != 3) {
			t.Errorf("settling a renewing instance on 15 April: %d orders, %d auto-renewals, %d months; want 3 (31 Jan, 28 Feb, 31 Mar)", len(settled), i.AutoRenewals, i.RenewedMonths)
		}
		if got := history(i, settled, after(at)); got != want {
			t.Errorf("renewing %t: after settling\n%s\nwant\n%s", renewing, got, want)
		}
	}
}

// TestRenewFromLapse: a renewal paid in grace or frozen counts from the
// lapsed expiry, brings the instance back in effect and moves its GoneAt;
// month ends do not drift through a manual renewal.
func TestRenewFromLapse(t *testing.T) {
	i := monthly(false) // expires 31 Jan, frozen from 10 Feb, gone 20 Feb
	frozen := time.Date(2026, 2, 15, 0, 0, 0, 0, time.UTC)
	if st := i.Status(frozen); st != InstanceFrozen {
		t.Fatalf("status on 15 February %d, want frozen", st)
	}
	i.renew(frozen, PeriodMonth, 1)
	feb := time.Date(2026, 2, 28, 10, 0, 0, 0, time.UTC)
	if exp, _ := i.Term(frozen); !exp.Equal(feb) {
		t.Errorf("renewed term ends %s, want 28 February (a month from the lapsed 31 January)", exp)
	}
	if st := i.Status(frozen); st != InstanceActive {
		t.Errorf("status after the renewal %d, want in effect", st)
	}
	if want := feb.Add(20 * day); !i.GoneAt.Equal(want) {
		t.Errorf("GoneAt %s, want %s", i.GoneAt, want)
	}
	i.renew(frozen.Add(day), PeriodMonth, 1)
	if exp, _ := i.Term(frozen); !exp.Equal(time.Date(2026, 3, 31, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("after a second renewal the term ends %s, want 31 March (month ends kept)", exp)
	}
}

// TestSetAutoRenew: switching off and on changes what happens from now on,
// never the past; asking for the policy in force changes nothing;
// switching on in grace renews at once; a count of renewals stops after
// that many.
func TestSetAutoRenew(t *testing.T) {
	mid := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	t.Run("off then on in effect", func(t *testing.T) {
		i := monthly(true)
		if _, changed := i.setAutoRenew(mid, AutoRenew{On: true}); changed {
			t.Error("switching on a renewing instance changed it")
		}
		if _, changed := i.setAutoRenew(mid, AutoRenew{}); !changed || i.GoneAt.IsZero() {
			t.Fatalf("switching off: changed %t, GoneAt %v", changed, i.GoneAt)
		}
		if _, changed := i.setAutoRenew(mid.Add(day), AutoRenew{}); changed {
			t.Error("switching off again changed it")
		}
		orders, changed := i.setAutoRenew(mid.Add(2*day), AutoRenew{On: true})
		if !changed || len(orders) != 0 || !i.GoneAt.IsZero() || !i.AutoRenews(mid.Add(2*day)) {
			t.Errorf("switching on again in effect: changed %t, %d orders, GoneAt %v", changed, len(orders), i.GoneAt)
		}
		if exp, n := i.Term(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)); n != 1 || !exp.Equal(time.Date(2026, 2, 28, 10, 0, 0, 0, time.UTC)) {
			t.Errorf("at the expiry it renewed %d times, to %s; want once, to 28 February", n, exp)
		}
	})
	t.Run("on in grace", func(t *testing.T) {
		i := monthly(false)
		grace := time.Date(2026, 2, 5, 0, 0, 0, 0, time.UTC)
		orders, changed := i.setAutoRenew(grace, AutoRenew{On: true})
		if !changed || len(orders) != 1 || !orders[0].CreatedAt.Equal(grace) || orders[0].ID != "CS1-R1" {
			t.Fatalf("switching on in grace: changed %t, orders %+v; want one renewal made now, CS1-R1", changed, orders)
		}
		if st := i.Status(grace); st != InstanceActive {
			t.Errorf("status %d after switching on in grace, want in effect", st)
		}
		if got := i.RenewalOrders(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)); len(got) != 1 || got[0].ID != "CS1-R2" ||
			!got[0].CreatedAt.Equal(time.Date(2026, 2, 28, 10, 0, 0, 0, time.UTC)) {
			t.Errorf("the next derived renewal %v, want CS1-R2 on 28 February", got)
		}
	})
	t.Run("a number of renewals", func(t *testing.T) {
		i := monthly(false)
		if _, changed := i.setAutoRenew(mid, AutoRenew{On: true, Times: 2}); !changed {
			t.Fatal("not changed")
		}
		last := time.Date(2026, 3, 31, 10, 0, 0, 0, time.UTC) // 31 Jan and 28 Feb renew; 31 Mar does not
		if exp, n := i.Term(last.Add(day)); n != 2 || !exp.Equal(last) {
			t.Errorf("after its renewals: %d renewals, ends %s; want 2, %s", n, exp, last)
		}
		if st := i.Status(last.Add(day)); st != InstanceGrace {
			t.Errorf("status after the last renewed term %d, want grace", st)
		}
		if want := last.Add(20 * day); !i.GoneAt.Equal(want) {
			t.Errorf("GoneAt %s, want %s", i.GoneAt, want)
		}
		if _, changed := i.setAutoRenew(mid, AutoRenew{On: true, Times: 2}); changed {
			t.Error("the same count again changed it")
		}
	})
}

// TestSpecAt: a spec change shows from its completion, and settling after
// it makes it the instance's own.
func TestSpecAt(t *testing.T) {
	i := monthly(true)
	i.SpecCode, i.ProductID = "dayu.starter", "P1"
	done := time.Date(2026, 1, 31, 10, 30, 0, 0, time.UTC) // half an hour after the expiry
	i.NextSpecCode, i.NextProductID, i.NextSpecAt = "dayu.basic", "P2", done
	if spec, _ := i.SpecAt(done.Add(-time.Second)); spec != "dayu.starter" {
		t.Errorf("before completion: %s", spec)
	}
	if spec, product := i.SpecAt(done); spec != "dayu.basic" || product != "P2" {
		t.Errorf("at completion: %s %s", spec, product)
	}
	i.settle(done.Add(time.Hour))
	if i.SpecCode != "dayu.basic" || i.NextSpecCode != "" || !i.NextSpecAt.IsZero() || i.AutoRenewals != 1 {
		t.Errorf("settled: %+v; want dayu.basic, no change pending, one renewal", i)
	}
}
