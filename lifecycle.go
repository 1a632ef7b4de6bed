package dayu

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The lifecycle is derived from stored timestamps when read, never pushed
// by a scheduler: an instance's status, its renewals and its orders' states
// are functions of the clock. So a transition happens exactly once however
// many nodes run, a restart loses none, and moving the dev clock a year
// ahead plays a year of renewals and expiries at once.

// Timings are the lifecycle's delays, per project (admin API) or default.
type Timings struct {
	// Provisioning: purchase to "in effect" (order 6 -> 3 -> 5, instance 1 -> 2).
	Provisioning time.Duration
	// Deletion: unsubscribe to gone from the list (instance 6 -> 3).
	Deletion time.Duration
	// Grace: after an expiry without renewal, status 5.
	Grace time.Duration
	// Retention: after the grace period, status 4 (frozen), then gone.
	Retention time.Duration
}

// DefaultTimings keep clients' wait loops exercised without slowing them:
// a few seconds to provision and delete, a month's grace and retention.
var DefaultTimings = Timings{
	Provisioning: 3 * time.Second,
	Deletion:     3 * time.Second,
	Grace:        15 * 24 * time.Hour,
	Retention:    15 * 24 * time.Hour,
}

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
	return last.Add(i.Grace + i.Retention)
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

// timingsDocument is the name of the stored timings.
const timingsDocument = "timings"

// TimingsBook holds the timings of each project and the default (under
// ""), kept in the store so that they survive restarts. A change applies to
// what is bought or unsubscribed after it.
type TimingsBook struct {
	mu    sync.RWMutex
	store Store
	by    map[string]Timings
}

// LoadTimings reads the stored timings; without any, base is the default.
func LoadTimings(ctx context.Context, s Store, base Timings) (*TimingsBook, error) {
	b := &TimingsBook{store: s, by: map[string]Timings{"": base}}
	return b, b.Reload(ctx)
}

// Reload reads the stored timings again, to pick up what another node set.
func (b *TimingsBook) Reload(ctx context.Context) error {
	doc, err := b.store.Document(ctx, timingsDocument)
	if err != nil || doc == nil {
		return err
	}
	next := map[string]Timings{}
	if err := json.Unmarshal(doc, &next); err != nil {
		return fmt.Errorf("stored timings: %w", err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	maps.Copy(b.by, next)
	return nil
}

// For returns the timings of a project.
func (b *TimingsBook) For(projectID string) Timings {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if t, ok := b.by[projectID]; ok {
		return t
	}
	return b.by[""]
}

// Set stores the timings of a project, or the default when projectID is "".
func (b *TimingsBook) Set(ctx context.Context, projectID string, t Timings) error {
	for name, d := range map[string]time.Duration{"provisioning_seconds": t.Provisioning, "deletion_seconds": t.Deletion, "grace_seconds": t.Grace, "retention_seconds": t.Retention} {
		if d < 0 {
			return Errorf(EINVALID, "%s: must not be negative", name)
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	next := maps.Clone(b.by)
	next[projectID] = t
	doc, err := json.Marshal(next)
	if err != nil {
		return err
	}
	if err := b.store.SaveDocument(ctx, timingsDocument, doc); err != nil {
		return err
	}
	b.by = next
	return nil
}

// timingsJSON is Timings on the wire and on disk: whole seconds are what a
// person types.
type timingsJSON struct {
	Provisioning float64 `json:"provisioning_seconds"`
	Deletion     float64 `json:"deletion_seconds"`
	Grace        float64 `json:"grace_seconds"`
	Retention    float64 `json:"retention_seconds"`
}

// MarshalJSON writes the timings in seconds.
func (t Timings) MarshalJSON() ([]byte, error) {
	return json.Marshal(timingsJSON{t.Provisioning.Seconds(), t.Deletion.Seconds(), t.Grace.Seconds(), t.Retention.Seconds()})
}

// UnmarshalJSON reads timings in seconds; a field left out is zero.
func (t *Timings) UnmarshalJSON(b []byte) error {
	var j timingsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	sec := func(v float64) time.Duration { return time.Duration(v * float64(time.Second)) }
	*t = Timings{sec(j.Provisioning), sec(j.Deletion), sec(j.Grace), sec(j.Retention)}
	return nil
}

// clockDocument is the name of the stored dev clock offset.
const clockDocument = "clock"

// LoadOffsetClock returns the dev clock, moved by the offset stored by
// SaveClockOffset so that a restart keeps the time it had reached.
func LoadOffsetClock(ctx context.Context, s Store) (*OffsetClock, error) {
	c := &OffsetClock{}
	return c, c.Reload(ctx, s)
}

// Reload moves the clock to the stored offset, to follow another node's
// move; the clock never goes back.
func (c *OffsetClock) Reload(ctx context.Context, s Store) error {
	doc, err := s.Document(ctx, clockDocument)
	if err != nil || doc == nil {
		return err
	}
	var seconds float64
	if err := json.Unmarshal(doc, &seconds); err != nil {
		return fmt.Errorf("stored clock offset: %w", err)
	}
	c.MoveTo(time.Duration(seconds * float64(time.Second)))
	return nil
}

// SaveClockOffset stores the dev clock's offset.
func SaveClockOffset(ctx context.Context, s Store, offset time.Duration) error {
	doc, _ := json.Marshal(offset.Seconds()) // a float always encodes
	return s.SaveDocument(ctx, clockDocument, doc)
}
