package dayu_test

import (
	"testing"
	"time"

	"github.com/dayu-emu/dayu"
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
