package dayu_test

import (
	"testing"
	"time"

	"github.com/dayu-emu/dayu"
)

func TestAddPeriod(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name  string
		start string
		pt    dayu.PeriodType
		n     int
		want  string
	}{
		{"one month", "2026-03-15T10:20:30Z", dayu.PeriodMonth, 1, "2026-04-15T10:20:30Z"},
		{"31 Jan plus a month is end of Feb", "2026-01-31T08:00:00Z", dayu.PeriodMonth, 1, "2026-02-28T08:00:00Z"},
		{"31 Jan plus a month in a leap year", "2028-01-31T08:00:00Z", dayu.PeriodMonth, 1, "2028-02-29T08:00:00Z"},
		{"31 Mar plus a month is 30 Apr", "2026-03-31T00:00:00Z", dayu.PeriodMonth, 1, "2026-04-30T00:00:00Z"},
		{"across a year end", "2026-11-30T23:59:59Z", dayu.PeriodMonth, 3, "2027-02-28T23:59:59Z"},
		{"nine months", "2026-05-31T12:00:00Z", dayu.PeriodMonth, 9, "2027-02-28T12:00:00Z"},
		{"one year", "2026-06-01T00:00:00Z", dayu.PeriodYear, 1, "2027-06-01T00:00:00Z"},
		{"29 Feb plus a year", "2028-02-29T06:00:00Z", dayu.PeriodYear, 1, "2029-02-28T06:00:00Z"},
		{"29 Feb plus four years", "2028-02-29T06:00:00Z", dayu.PeriodYear, 4, "2032-02-29T06:00:00Z"},
		{"three years", "2026-01-31T00:00:00Z", dayu.PeriodYear, 3, "2029-01-31T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := dayu.AddPeriod(at(tt.start), tt.pt, tt.n)
			if want := at(tt.want); !got.Equal(want) {
				t.Errorf("AddPeriod(%s, %d, %d) = %s, want %s", tt.start, tt.pt, tt.n, got.Format(time.RFC3339), tt.want)
			}
		})
	}
}

func TestExpireDays(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		expires time.Time
		want    int
	}{
		{now.Add(31 * 24 * time.Hour), 31},
		{now.Add(30*24*time.Hour + time.Second), 31},
		{now.Add(time.Hour), 1},
		{now, 0},
		{now.Add(-48 * time.Hour), 0},
	}
	for _, tt := range tests {
		i := dayu.Instance{ExpiresAt: tt.expires, PeriodType: dayu.PeriodMonth, PeriodNum: 1, AutoRenewUntil: now.AddDate(-1, 0, 0)}
		if got := i.ExpireDays(now); got != tt.want {
			t.Errorf("ExpireDays(expires %s) = %d, want %d", tt.expires, got, tt.want)
		}
	}
}

// A one-month instance still provisioning counts its whole term, not the
// seconds until it takes effect as an extra day.
func TestExpireDaysBeforeEffective(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	effective := now.Add(3 * time.Second)
	i := dayu.Instance{EffectiveAt: effective, ExpiresAt: dayu.AddPeriod(effective, dayu.PeriodMonth, 1),
		PeriodType: dayu.PeriodMonth, PeriodNum: 1, AutoRenewUntil: now}
	if got := i.ExpireDays(now); got != 30 {
		t.Errorf("ExpireDays = %d, want 30 (25 Nov to 25 Dec)", got)
	}
}
