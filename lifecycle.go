package dayu

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The lifecycle is derived from stored timestamps when read, never pushed
// by a scheduler: an instance's status, its renewals and its orders' states
// are functions of the clock. So a transition happens exactly once however
// many nodes run, a restart loses none, and moving the dev clock a year
// ahead plays a year of renewals and expiries at once.

// Term returns the expiry of the term running at now and how many
// auto-renewals have happened since the instance was last settled. Each
// expiry after SettledAt and up to AutoRenewUntil (all of them when it is
// zero) renews by one period. Every renewal is counted from the first
// expiry, in months, so that month ends do not drift (31 Jan, 28 Feb, 31
// Mar).
func (i *Instance) Term(now time.Time) (expires time.Time, renewals int) {
	expires = i.termEnd(0)
	if i.PeriodNum < 1 {
		return expires, 0 // no period to renew by
	}
	limit := now
	if !i.AutoRenewUntil.IsZero() && i.AutoRenewUntil.Before(limit) {
		limit = i.AutoRenewUntil
	}
	for !expires.After(limit) && expires.After(i.SettledAt) {
		renewals++
		expires = i.termEnd(renewals)
	}
	return expires, renewals
}

// termEnd is the end of the term after the settled renewals and n
// auto-renewals more.
func (i *Instance) termEnd(n int) time.Time {
	return AddPeriod(i.ExpiresAt, PeriodMonth, i.RenewedMonths+n*periodMonths(i.PeriodType, i.PeriodNum))
}

// periodMonths is the length of n periods in months.
func periodMonths(pt PeriodType, n int) int {
	if pt == PeriodYear {
		return 12 * n
	}
	return n
}

// Status is the instance's status at now.
func (i *Instance) Status(now time.Time) InstanceStatus {
	gone := !i.GoneAt.IsZero() && !now.Before(i.GoneAt)
	switch {
	case gone:
		return InstanceDeleted
	case !i.UnsubscribedAt.IsZero():
		return InstanceDeleting
	case now.Before(i.EffectiveAt):
		return InstancePending
	}
	exp, _ := i.Term(now)
	switch {
	case now.Before(exp):
		return InstanceActive
	case now.Before(exp.Add(i.Grace)):
		return InstanceGrace
	}
	return InstanceFrozen
}

// goneAt is when an instance that no longer renews leaves the list: after
// its last term, the grace period and the retention period.
func (i *Instance) goneAt() time.Time {
	if i.AutoRenewUntil.IsZero() {
		return time.Time{}
	}
	last, _ := i.Term(i.AutoRenewUntil)
	// Added one after the other: their sum as a Duration could overflow
	// (timings stored before they were bounded) and land in the past.
	return last.Add(i.Grace).Add(i.Retention)
}

// renewalSuffix joins an instance's order id and a renewal's number in the
// id of that renewal's order.
const renewalSuffix = "-R"

// RenewalOrders returns the auto-renewal orders of the instance from its
// last settling up to now, each completed at the expiry it renewed.
func (i *Instance) RenewalOrders(now time.Time) []*Order {
	_, n := i.Term(now)
	out := make([]*Order, 0, n)
	for k := 1; k <= n; k++ {
		out = append(out, i.autoRenewalOrder(i.AutoRenewals+k, i.termEnd(k-1)))
	}
	return out
}

// autoRenewalOrder is the instance's n-th auto-renewal order, made at at.
func (i *Instance) autoRenewalOrder(n int, at time.Time) *Order {
	return &Order{
		ID: i.OrderID + renewalSuffix + strconv.Itoa(n), Type: OrderRenewal,
		DomainID: i.DomainID, ProjectID: i.ProjectID, ResourceID: i.ID,
		CreatedAt: at, CompletedAt: at, PeriodType: i.PeriodType, PeriodNum: i.PeriodNum,
	}
}

// splitRenewalID splits a renewal order id into the purchase's order id and
// the renewal number; ok is false for any other id.
func splitRenewalID(id string) (orderID string, k int, ok bool) {
	n := strings.LastIndex(id, renewalSuffix)
	if n < 0 {
		return "", 0, false
	}
	k, err := strconv.Atoi(id[n+len(renewalSuffix):])
	if err != nil || k < 1 || fmt.Sprint(k) != id[n+len(renewalSuffix):] {
		return "", 0, false
	}
	return id[:n], k, true
}
