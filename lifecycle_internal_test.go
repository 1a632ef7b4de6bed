package dayu

import (
	"testing"
	"time"
)

// TestGoneAtLongTimings: grace and retention periods whose sum a Duration
// cannot hold (timings stored before they were bounded) still put the end
// of an instance after its expiry, never before.
func TestGoneAtLongTimings(t *testing.T) {
	bought := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	long := time.Duration(9e9) * time.Second // 285 years: twice that overflows
	i := Instance{CreatedAt: bought, EffectiveAt: bought, PeriodType: PeriodMonth, PeriodNum: 1,
		ExpiresAt: AddPeriod(bought, PeriodMonth, 1), AutoRenewUntil: bought, Grace: long, Retention: long}
	i.GoneAt = i.goneAt()
	if !i.GoneAt.After(i.ExpiresAt.Add(long)) {
		t.Errorf("gone at %s, before its expiry %s and grace", i.GoneAt, i.ExpiresAt)
	}
	if st := i.Status(bought.AddDate(0, 2, 0)); st != InstanceGrace {
		t.Errorf("status after expiry %d, want grace (5)", st)
	}
}
