package dayu_test

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/sqlite"
)

func TestInstanceLifecycle(t *testing.T) {
	day := 24 * time.Hour
	bought := time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC)
	effective := bought.Add(time.Minute)
	base := func() dayu.Instance {
		return dayu.Instance{
			CreatedAt: bought, EffectiveAt: effective, PeriodType: dayu.PeriodMonth, PeriodNum: 1,
			ExpiresAt: dayu.AddPeriod(effective, dayu.PeriodMonth, 1), // 28 Feb
			Grace:     10 * day, Retention: 20 * day,
		}
	}
	renewing := base()
	lapsing := base()
	lapsing.AutoRenewUntil = bought
	lapsing.GoneAt = lapsing.ExpiresAt.Add(30 * day)
	unsubscribed := base()
	unsubscribed.AutoRenewUntil, unsubscribed.UnsubscribedAt, unsubscribed.GoneAt = bought.Add(day), bought.Add(day), bought.Add(day+time.Hour)

	tests := []struct {
		name     string
		i        dayu.Instance
		at       time.Time
		want     dayu.InstanceStatus
		renewals int
	}{
		{"provisioning", renewing, bought, dayu.InstancePending, 0},
		{"in effect", renewing, effective, dayu.InstanceActive, 0},
		{"renewed at expiry", renewing, renewing.ExpiresAt, dayu.InstanceActive, 1},
		{"renewed a year on", renewing, bought.AddDate(1, 0, 0), dayu.InstanceActive, 12},
		{"lapsing in effect", lapsing, lapsing.ExpiresAt.Add(-time.Second), dayu.InstanceActive, 0},
		{"grace", lapsing, lapsing.ExpiresAt, dayu.InstanceGrace, 0},
		{"frozen", lapsing, lapsing.ExpiresAt.Add(10 * day), dayu.InstanceFrozen, 0},
		{"gone", lapsing, lapsing.ExpiresAt.Add(30 * day), dayu.InstanceDeleted, 0},
		{"deleting", unsubscribed, bought.Add(day), dayu.InstanceDeleting, 0},
		{"deleted", unsubscribed, bought.Add(day + time.Hour), dayu.InstanceDeleted, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.i.Status(tt.at); got != tt.want {
				t.Errorf("Status = %d, want %d", got, tt.want)
			}
			if _, n := tt.i.Term(tt.at); n != tt.renewals {
				t.Errorf("renewals = %d, want %d", n, tt.renewals)
			}
			if got := len(tt.i.RenewalOrders(tt.at)); got != tt.renewals {
				t.Errorf("%d renewal orders, want %d", got, tt.renewals)
			}
		})
	}
	// Renewals count from the first expiry, so month ends do not drift:
	// 28 Feb, then 31 Mar (not 28 Mar).
	renewing.ExpiresAt = time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)
	exp, _ := renewing.Term(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	if want := time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC); !exp.Equal(want) {
		t.Errorf("term after two renewals ends %s, want %s", exp, want)
	}
}

func TestOrderStatus(t *testing.T) {
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	o := dayu.Order{CreatedAt: created, CompletedAt: created.Add(10 * time.Second)}
	for _, tt := range []struct {
		after time.Duration
		want  dayu.OrderStatus
	}{{0, dayu.OrderPendingPayment}, {5 * time.Second, dayu.OrderProcessing}, {10 * time.Second, dayu.OrderCompleted}} {
		if got := o.Status(created.Add(tt.after)); got != tt.want {
			t.Errorf("status %s after creation = %d, want %d", tt.after, got, tt.want)
		}
	}
}

func TestPurchaseValidate(t *testing.T) {
	valid := func() dayu.Purchase {
		return dayu.Purchase{RegionID: "r", AvailabilityZone: "z", VpcID: "v", NetID: "n", SecurityGroupID: "s",
			InstanceName: "i", EpsID: "0", PeriodType: dayu.PeriodMonth, PeriodNum: 1, ResourceSpecCode: "dayu.starter"}
	}
	tests := []struct {
		name   string
		mutate func(p *dayu.Purchase)
		field  string // "" for valid
	}{
		{"valid", func(p *dayu.Purchase) {}, ""},
		{"128 characters of a multibyte name", func(p *dayu.Purchase) { p.InstanceName = string(make([]rune, 128)) }, ""},
		{"year 3", func(p *dayu.Purchase) { p.PeriodType, p.PeriodNum = dayu.PeriodYear, 3 }, ""},
		{"year 4", func(p *dayu.Purchase) { p.PeriodType, p.PeriodNum = dayu.PeriodYear, 4 }, "period_num"},
		{"month 10", func(p *dayu.Purchase) { p.PeriodNum = 10 }, "period_num"},
		{"period type 1", func(p *dayu.Purchase) { p.PeriodType = 1 }, "period_type"},
		{"auto renew 2", func(p *dayu.Purchase) { p.IsAutoRenew = 2 }, "is_auto_renew"},
		{"invalid UTF-8", func(p *dayu.Purchase) { p.InstanceName = "\xff" }, "instance_name"},
		{"empty zone", func(p *dayu.Purchase) { p.AvailabilityZone = "" }, "availability_zone"},
		{"package without binding", func(p *dayu.Purchase) { p.ExtensionPackage = "x" }, "binding_instance_id"},
		{"tag value 255", func(p *dayu.Purchase) { p.Tags = []dayu.Tag{{Key: "k", Value: string(make([]byte, 255))}} }, ""},
		{"duplicate tag", func(p *dayu.Purchase) { p.Tags = []dayu.Tag{{Key: "k"}, {Key: "k"}} }, "tags[1].key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := valid()
			tt.mutate(&p)
			err := p.Validate()
			switch {
			case tt.field == "" && err != nil:
				t.Errorf("want valid, got %v", err)
			case tt.field != "" && (dayu.ErrorCodeOf(err) != dayu.EINVALID || !contains(dayu.ErrorMessageOf(err), tt.field)):
				t.Errorf("want EINVALID naming %s, got %v", tt.field, err)
			}
		})
	}
}

func contains(s, sub string) bool {
	return len(sub) == 0 || len(s) >= len(sub) && (s[:len(sub)] == sub || contains(s[1:], sub))
}

// documents is a Store that keeps only documents, in memory.
type documents struct {
	dayu.Store
	docs map[string][]byte
}

func (d *documents) Document(_ context.Context, name string) ([]byte, error) {
	return d.docs[name], nil
}

func (d *documents) SaveDocument(_ context.Context, name string, doc []byte) error {
	d.docs[name] = doc
	return nil
}

// TestClockOffsetStored: every offset the admin API can reach reads back
// from the store exactly, a stored offset outside the bounds (written
// before they existed) never turns the clock back or past them, and a
// move starts from the stored clock.
func TestClockOffsetStored(t *testing.T) {
	ctx := context.Background()
	s := &documents{docs: map[string][]byte{}}
	for _, seconds := range []float64{0.001, 1, 31536000.5, 2995920000.125, dayu.MaxClockOffset.Seconds() - 0.001, dayu.MaxClockOffset.Seconds()} {
		to, err := (&dayu.OffsetClock{}).AdvancedBy(seconds)
		if err != nil {
			t.Fatalf("AdvancedBy(%v): %v", seconds, err)
		}
		if err := dayu.SaveClockOffset(ctx, s, to); err != nil {
			t.Fatal(err)
		}
		c, err := dayu.LoadOffsetClock(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if c.Offset() != to {
			t.Errorf("stored %s (%v s), read back %s", to, seconds, c.Offset())
		}
	}
	for stored, want := range map[string]time.Duration{"-5": 0, "-8.4e9": 0, "1e10": dayu.MaxClockOffset, "1e300": dayu.MaxClockOffset} {
		s.docs["clock"] = []byte(stored)
		c, err := dayu.LoadOffsetClock(ctx, s)
		if err != nil || c.Offset() != want {
			t.Errorf("stored %s: offset %s, %v; want %s", stored, c.Offset(), err, want)
		}
	}

	// A node that has not read another's move yet starts from it.
	s.docs["clock"] = []byte("1576800000") // 50 years
	stale := &dayu.OffsetClock{}
	if err := stale.Reload(ctx, s); err != nil {
		t.Fatal(err)
	}
	if to, err := stale.AdvancedBy(86400); err != nil || to != (50*365+1)*24*time.Hour {
		t.Errorf("a day on from 50 years: %s, %v", to, err)
	}
	for _, bad := range []float64{0, -1, 1e-4, math.NaN(), math.Inf(1), 1e10, 51 * 365 * 86400} {
		if _, err := stale.AdvancedBy(bad); dayu.ErrorCodeOf(err) != dayu.EINVALID || !strings.Contains(err.Error(), "advance_seconds") {
			t.Errorf("AdvancedBy(%v) from 50 years = %v, want EINVALID naming advance_seconds", bad, err)
		}
	}
}

// TestTimingsBounded: timings beyond what a Duration holds saturate when
// read and are refused, naming the field; the bound itself is accepted.
func TestTimingsBounded(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.OpenMemory(ctx, sqlite.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	book, err := dayu.LoadTimings(ctx, store, dayu.DefaultTimings)
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{`{"grace_seconds": 9e9}`, `{"retention_seconds": 1e19}`, `{"provisioning_seconds": -1e19}`, `{"deletion_seconds": 315360000.001}`} {
		var tm dayu.Timings
		if err := json.Unmarshal([]byte(body), &tm); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		field := strings.Split(body, `"`)[1]
		if err := book.Set(ctx, "", tm); dayu.ErrorCodeOf(err) != dayu.EINVALID || !strings.Contains(err.Error(), field) {
			t.Errorf("Set(%s) = %v, want EINVALID naming %s", body, err, field)
		}
	}
	if book.For("") != dayu.DefaultTimings {
		t.Errorf("refused timings changed the default: %+v", book.For(""))
	}
	longest := dayu.Timings{Provisioning: dayu.MaxTiming, Deletion: dayu.MaxTiming, Grace: dayu.MaxTiming, Retention: dayu.MaxTiming}
	if err := book.Set(ctx, "p", longest); err != nil {
		t.Errorf("Set(the longest timings): %v", err)
	}
}
