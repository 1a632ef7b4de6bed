package dayu

import "time"

// AddPeriod returns t plus n periods of the given type by calendar
// arithmetic: a month later is the same day of the next month, or that
// month's last day when it is shorter (31 January + 1 month = 28 or 29
// February). time.AddDate would overflow into March instead.
func AddPeriod(t time.Time, pt PeriodType, n int) time.Time {
	months := n
	if pt == PeriodYear {
		months = 12 * n
	}
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(months), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	if last := daysIn(first); d > last {
		d = last
	}
	return first.AddDate(0, 0, d-1)
}

// daysIn is the number of days in t's month.
func daysIn(t time.Time) int {
	return time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, t.Location()).Day()
}
