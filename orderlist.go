package dayu

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"
)

// OrderQuery selects the caller's orders (BSS ListCustomerOrders). Zero
// fields do not filter.
type OrderQuery struct {
	OrderID     string // case-insensitive
	Type        OrderType
	Status      OrderStatus
	CreatedFrom time.Time // inclusive
	CreatedTo   time.Time // inclusive
	PaidFrom    time.Time // inclusive; an order not paid yet does not match
	PaidTo      time.Time
	OldestFirst bool
	Page        Page
}

// matches reports whether o, as it is at now, is selected by q.
func (q *OrderQuery) matches(o *Order, now time.Time) bool {
	paid, isPaid := o.PaymentTime(now)
	switch {
	case q.OrderID != "" && !strings.EqualFold(q.OrderID, o.ID),
		q.Type != 0 && q.Type != o.Type,
		q.Status != 0 && q.Status != o.Status(now),
		!q.CreatedFrom.IsZero() && o.CreatedAt.Before(q.CreatedFrom),
		!q.CreatedTo.IsZero() && o.CreatedAt.After(q.CreatedTo),
		(!q.PaidFrom.IsZero() || !q.PaidTo.IsZero()) && !isPaid,
		!q.PaidFrom.IsZero() && paid.Before(q.PaidFrom),
		!q.PaidTo.IsZero() && paid.After(q.PaidTo):
		return false
	}
	return true
}

// PaymentTime is when the order was paid; ok is false while it waits for
// payment (status 6) or was cancelled.
func (o *Order) PaymentTime(now time.Time) (at time.Time, ok bool) {
	if st := o.Status(now); st == OrderPendingPayment || st == OrderCancelled {
		return time.Time{}, false
	}
	if o.PaidAt.IsZero() {
		return o.CreatedAt, true
	}
	return o.PaidAt, true
}

// ListOrders returns a page of the caller's orders of every type that q
// selects, newest first unless q says otherwise, and their total. The
// auto-renewals not yet settled are derived from the instances, as the
// lifecycle is: they are listed as soon as they have happened.
func (s *Service) ListOrders(ctx context.Context, caller Caller, q OrderQuery) (OrderPage, error) {
	now := s.Clocks.Now(caller.DomainID)
	d := s.World.DomainByID(caller.DomainID)
	if d == nil {
		return OrderPage{At: now}, nil
	}
	projects := make([]string, 0, len(d.Projects))
	for _, p := range d.Projects {
		projects = append(projects, p.ID)
	}
	orders, err := s.Store.ProjectOrders(ctx, d.ID, projects)
	if err != nil {
		return OrderPage{}, err
	}
	instances, err := s.Store.ProjectInstances(ctx, projects)
	if err != nil {
		return OrderPage{}, err
	}
	for _, i := range instances {
		orders = append(orders, i.RenewalOrders(now)...)
	}
	orders = slices.DeleteFunc(orders, func(o *Order) bool { return !q.matches(o, now) })
	slices.SortFunc(orders, func(a, b *Order) int {
		c := cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
		if q.OldestFirst {
			return c
		}
		return -c
	})
	total := len(orders)
	lo := min(q.Page.Offset, total)
	return OrderPage{Orders: orders[lo:min(lo+q.Page.Limit, total)], Total: total, At: now}, nil
}

// OrderPage is a page of orders, how many there are in all, and the moment
// they were read at: their statuses are as of At.
type OrderPage struct {
	Orders []*Order
	Total  int
	At     time.Time
}
