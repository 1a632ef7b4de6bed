package dayu

import (
	"context"
	"errors"
	"time"
)

// The instance's life after its purchase: renewals (paid at once or later)
// and auto-renew switched on and off. Each change first settles the
// instance (its auto-renewals so far become stored orders), then changes
// what happens from now on, and is stored only if no other request changed
// the instance since it was read. So the lifecycle stays a function of
// stored facts and the clock, and of two racing changes both take effect,
// one after the other, or the loser fails whole.

// LifecycleStore keeps the changes of an instance's life after its
// purchase.
type LifecycleStore interface {
	// SaveLifecycle stores w in one transaction. It returns ECONFLICT and
	// stores nothing when w.Instance is no longer as read (its Rev), is
	// unsubscribed or has lost its enterprise project, or when w.Settle is
	// no longer pending payment.
	SaveLifecycle(ctx context.Context, w LifecycleWrite) error
	// ProjectInstances returns every instance and package of the projects,
	// gone or not, oldest first.
	ProjectInstances(ctx context.Context, projectIDs []string) ([]*Instance, error)
	// ProjectOrders returns the domain's stored orders about resources of
	// the projects.
	ProjectOrders(ctx context.Context, domainID string, projectIDs []string) ([]*Order, error)
	// MoveInstance moves an instance and its packages to the enterprise
	// project epsID of its project. It returns ECONFLICT when that
	// enterprise project holds an instance not gone by now, and ENOTFOUND
	// when i is no longer an instance holding its enterprise project (gone
	// or unsubscribed); either way it changes nothing.
	MoveInstance(ctx context.Context, i *Instance, epsID string, now time.Time) error
}

// LifecycleWrite is one change of an instance's life, stored at once.
type LifecycleWrite struct {
	// Instance, when set, carries the new lifecycle fields (spec, renewals,
	// auto-renew, GoneAt), computed from the stored ones of its Rev.
	Instance *Instance
	// Orders are new orders: the settled auto-renewals and the change's own.
	Orders []*Order
	// Settle, when set, is an order pending payment that is now paid or
	// cancelled: its new Hold, PaidAt and CompletedAt.
	Settle *Order
}

// maxAttempts bounds how often a change is computed again when another
// request changed the same instance or order first.
const maxAttempts = 8

// retry runs fn again while it fails with ECONFLICT, which the store
// returns for a change computed from what another request changed since.
// Each attempt reads anew, so a change that no longer makes sense fails
// with its own reason.
func retry(fn func() error) error {
	for n := 1; ; n++ {
		err := fn()
		if n == maxAttempts || ErrorCodeOf(err) != ECONFLICT {
			return err
		}
	}
}

// settle makes the instance's life up to now stored facts before a change
// from now on: the auto-renewals since it was last settled are returned as
// orders to store and their months join RenewedMonths, and a spec change
// completed by now becomes its spec.
func (i *Instance) settle(now time.Time) []*Order {
	orders := i.RenewalOrders(now)
	i.RenewedMonths += len(orders) * periodMonths(i.PeriodType, i.PeriodNum)
	i.AutoRenewals += len(orders)
	if now.After(i.SettledAt) {
		i.SettledAt = now
	}
	if !i.NextSpecAt.IsZero() && !now.Before(i.NextSpecAt) {
		i.SpecCode, i.ProductID = i.NextSpecCode, i.NextProductID
		i.NextSpecCode, i.NextProductID, i.NextSpecAt = "", "", time.Time{}
	}
	return orders
}

// renew extends the term by a renewal paid at now. Like an auto-renewal it
// counts from the current expiry, which for an instance in grace or frozen
// is in the past: the renewal covers the lapse and, if it reaches past now,
// the instance is in effect again.
func (i *Instance) renew(now time.Time, pt PeriodType, n int) []*Order {
	orders := i.settle(now)
	i.RenewedMonths += periodMonths(pt, n)
	i.GoneAt = i.goneAt()
	return orders
}

// AutoRenews reports whether the instance renews at its next expiry.
func (i *Instance) AutoRenews(now time.Time) bool {
	if i.AutoRenewUntil.IsZero() {
		return true
	}
	exp, _ := i.Term(now)
	return !exp.After(i.AutoRenewUntil)
}

// AutoRenew is a switch of an instance's auto-renew.
type AutoRenew struct {
	On bool
	// Times bounds the renewals from now on (1 to MaxAutoRenewTimes); 0
	// renews at every expiry.
	Times int
	// PeriodType, when set, must be the instance's: it renews by the
	// period it was bought for.
	PeriodType PeriodType
}

// MaxAutoRenewTimes is the most renewals an auto-renew switch may count.
const MaxAutoRenewTimes = 99

// setAutoRenew changes the renewal policy from now on. Switching on an
// instance in grace or frozen renews it at once, by as many periods as it
// takes to be in effect again. changed is false when the policy already was
// the one asked for.
func (i *Instance) setAutoRenew(now time.Time, a AutoRenew) (orders []*Order, changed bool) {
	was := i.AutoRenewUntil
	orders = i.settle(now)
	if !a.On {
		if !was.IsZero() && !was.After(now) {
			return nil, false
		}
		i.AutoRenewUntil = now
		i.GoneAt = i.goneAt()
		return orders, true
	}
	renewed := false
	for i.PeriodNum > 0 && !i.termEnd(0).After(now) {
		i.AutoRenewals++
		orders = append(orders, i.autoRenewalOrder(i.AutoRenewals, now))
		i.RenewedMonths += periodMonths(i.PeriodType, i.PeriodNum)
		renewed = true
	}
	i.AutoRenewUntil = time.Time{}
	if a.Times > 0 {
		i.AutoRenewUntil = i.termEnd(a.Times - 1) // the last expiry that renews
	}
	if !renewed && i.AutoRenewUntil.Equal(was) {
		return nil, false
	}
	i.GoneAt = i.goneAt()
	return orders, true
}

// SetAutoRenew switches the auto-renew of one of the caller's resources
// (BSS AutoRenewalResources and CancelAutoRenewalResources). Asking for the
// policy the resource already has changes nothing.
func (s *Service) SetAutoRenew(ctx context.Context, caller Caller, id string, a AutoRenew) error {
	if a.Times < 0 || a.Times > MaxAutoRenewTimes {
		return Errorf(EINVALID, "auto_renew_times: must be 0 (no limit) to %d, got %d", MaxAutoRenewTimes, a.Times)
	}
	return s.switchAutoRenew(ctx, caller, id, a, s.Clocks.Now(caller.DomainID).Truncate(time.Millisecond))
}

// switchAutoRenew is SetAutoRenew at now.
func (s *Service) switchAutoRenew(ctx context.Context, caller Caller, id string, a AutoRenew, now time.Time) error {
	return retry(func() error {
		i, err := s.liveResource(ctx, caller, id, now)
		if err != nil {
			return err
		}
		if a.PeriodType != 0 && a.PeriodType != i.PeriodType {
			return Errorf(EINVALID, "period_type: resource %s renews by the period it was bought for (%s)", id, periodName(i.PeriodType))
		}
		orders, changed := i.setAutoRenew(now, a)
		if !changed {
			return nil
		}
		return s.Store.SaveLifecycle(ctx, LifecycleWrite{Instance: i, Orders: orders})
	})
}

// periodName names a period type as BSS's auto-renew does.
func periodName(pt PeriodType) string {
	if pt == PeriodYear {
		return "YEAR"
	}
	return "MONTH"
}

// liveResource returns one of the caller's resources that is neither gone
// nor being unsubscribed at now.
func (s *Service) liveResource(ctx context.Context, caller Caller, id string, now time.Time) (*Instance, error) {
	found, err := s.Store.Resources(ctx, caller.DomainID, ResourceFilter{ResourceIDs: []string{id}})
	if err != nil {
		return nil, err
	}
	if len(found) == 0 || found[0].Status(now) == InstanceDeleted {
		return nil, Errorf(ENOTFOUND, "resource %q does not exist", id)
	}
	if !found[0].UnsubscribedAt.IsZero() {
		return nil, Errorf(EINVALID, "resource %q is being unsubscribed", id)
	}
	return found[0], nil
}

// Renewal is a manual renewal of resources (BSS RenewalResources).
type Renewal struct {
	ResourceIDs []string
	PeriodType  PeriodType
	PeriodNum   int
	// AutoPay pays the renewal orders at once; without it they wait in
	// pending payment until PayOrder or CancelOrder.
	AutoPay bool
}

// MaxResourcesPerRequest is how many resources one BSS request may name.
const MaxResourcesPerRequest = 100

// Renew places one renewal order per resource and returns their ids and
// the resources it could not renew.
func (s *Service) Renew(ctx context.Context, caller Caller, r Renewal) ([]string, []ResourceFailure, error) {
	if err := checkPeriod(r.PeriodType, r.PeriodNum); err != nil {
		return nil, nil, err
	}
	if len(r.ResourceIDs) == 0 || len(r.ResourceIDs) > MaxResourcesPerRequest {
		return nil, nil, Errorf(EINVALID, "resource_ids: must list 1-%d resource ids, got %d", MaxResourcesPerRequest, len(r.ResourceIDs))
	}
	now := s.Clocks.Now(caller.DomainID).Truncate(time.Millisecond)
	var ids []string
	var failures []ResourceFailure
	for _, id := range r.ResourceIDs {
		o, err := s.renewOne(ctx, caller, id, r, now)
		switch {
		case err == nil:
			ids = append(ids, o.ID)
		case isResourceFailure(err):
			failures = append(failures, ResourceFailure{id, ErrorMessageOf(err)})
		default:
			return nil, nil, err
		}
	}
	return ids, failures, nil
}

// isResourceFailure reports whether err is about one resource of a BSS
// request (it does not exist, is being unsubscribed, kept changing), which
// BSS reports in fail_resource_infos, rather than about the request.
func isResourceFailure(err error) bool {
	code := ErrorCodeOf(err)
	return err != nil && (code == EINVALID || code == ENOTFOUND || code == ECONFLICT)
}

func (s *Service) renewOne(ctx context.Context, caller Caller, id string, r Renewal, now time.Time) (*Order, error) {
	var placed *Order
	err := retry(func() error {
		i, err := s.liveResource(ctx, caller, id, now)
		if err != nil {
			return err
		}
		placed = s.renewalOrder(i, r.PeriodType, r.PeriodNum, now)
		if !r.AutoPay {
			placed.Hold = OrderPendingPayment
			return s.Store.SaveLifecycle(ctx, LifecycleWrite{Orders: []*Order{placed}})
		}
		orders := append(i.renew(now, r.PeriodType, r.PeriodNum), placed)
		return s.Store.SaveLifecycle(ctx, LifecycleWrite{Instance: i, Orders: orders})
	})
	return placed, err
}

// renewalOrder is a renewal of i placed at now, paid at once unless held.
func (s *Service) renewalOrder(i *Instance, pt PeriodType, n int, now time.Time) *Order {
	return &Order{ID: newOrderID(now), Type: OrderRenewal, DomainID: i.DomainID, ProjectID: i.ProjectID,
		ResourceID: i.ID, CreatedAt: now, CompletedAt: now, PeriodType: pt, PeriodNum: n}
}

// PayOrder pays one of the caller's orders pending payment (BSS PayOrders):
// the renewal takes effect now. Paying an order that is paid already
// changes nothing: Dayu's other orders are paid when they are placed.
func (s *Service) PayOrder(ctx context.Context, caller Caller, orderID string) error {
	now := s.Clocks.Now(caller.DomainID).Truncate(time.Millisecond)
	return s.settleOrder(ctx, caller, orderID, func(o *Order) error {
		switch o.Hold {
		case OrderCancelled:
			return Errorf(EINVALID, "order %q is cancelled and can no longer be paid", orderID)
		case 0:
			return nil
		}
		i, err := s.liveResource(ctx, caller, o.ResourceID, now)
		if code := ErrorCodeOf(err); code == ENOTFOUND || code == EINVALID {
			return Errorf(EINVALID, "order %q cannot be paid: %s", orderID, ErrorMessageOf(err))
		} else if err != nil {
			return err
		}
		paid := *o
		paid.Hold, paid.PaidAt, paid.CompletedAt = 0, now, now
		return s.Store.SaveLifecycle(ctx, LifecycleWrite{Instance: i, Orders: i.renew(now, o.PeriodType, o.PeriodNum), Settle: &paid})
	})
}

// CancelOrder cancels one of the caller's orders pending payment (BSS
// CancelCustomerOrder): status 4, and nothing of it takes effect.
// Cancelling it again changes nothing.
func (s *Service) CancelOrder(ctx context.Context, caller Caller, orderID string) error {
	return s.settleOrder(ctx, caller, orderID, func(o *Order) error {
		switch o.Hold {
		case OrderCancelled:
			return nil
		case 0:
			return Errorf(EINVALID, "order %q is not pending payment: only an unpaid order can be cancelled", orderID)
		}
		cancelled := *o
		cancelled.Hold = OrderCancelled
		return s.Store.SaveLifecycle(ctx, LifecycleWrite{Settle: &cancelled})
	})
}

// settleOrder runs settle on one of the caller's orders, read anew at each
// attempt.
func (s *Service) settleOrder(ctx context.Context, caller Caller, orderID string, settle func(*Order) error) error {
	if err := checkLen("order_id", orderID, 1, MaxNameLen); err != nil {
		return err
	}
	return retry(func() error {
		o, err := s.Store.FindOrder(ctx, caller.DomainID, orderID)
		if errors.Is(err, ErrOrderNotFound) {
			return Errorf(ENOTFOUND, "order %q does not exist", orderID)
		}
		if err != nil {
			return err
		}
		return settle(o)
	})
}
