package dayu

import (
	"context"
	"slices"
	"time"
)

// UnsubscribeType says what an unsubscription ends (CONTRACT §5).
type UnsubscribeType int

// The unsubscribe types.
const (
	UnsubscribeResource UnsubscribeType = 1 // the resource and its renewals
	UnsubscribeRenewals UnsubscribeType = 2 // only the renewals
)

// ResourceFailure is a resource a BSS request could not act on.
type ResourceFailure struct {
	ResourceID string
	Message    string
}

// Unsubscribe ends the caller's resources (with their packages) or only
// their renewals, and returns the unsubscribe orders and the resources it
// could not end.
func (s *Service) Unsubscribe(ctx context.Context, caller Caller, ids []string, typ UnsubscribeType) ([]string, []ResourceFailure, error) {
	if typ != UnsubscribeResource && typ != UnsubscribeRenewals {
		return nil, nil, Errorf(EINVALID, "unsubscribe_type: must be 1 (the resource and its renewals) or 2 (only the renewals), got %d", typ)
	}
	if len(ids) == 0 || len(ids) > 100 {
		return nil, nil, Errorf(EINVALID, "resource_ids: must list 1-100 resource ids, got %d", len(ids))
	}
	found, err := s.Store.Resources(ctx, caller.DomainID, ResourceFilter{ResourceIDs: ids, ParentIDs: ids})
	if err != nil {
		return nil, nil, err
	}
	now := s.Clock.Now().Truncate(time.Millisecond)
	var changed []*Instance
	var orders []*Order
	var failures []ResourceFailure
	for _, id := range ids {
		n := slices.IndexFunc(found, func(i *Instance) bool { return i.ID == id })
		switch {
		case n < 0 || found[n].Status(now) == InstanceDeleted:
			failures = append(failures, ResourceFailure{id, "the resource does not exist"})
			continue
		case !found[n].UnsubscribedAt.IsZero():
			failures = append(failures, ResourceFailure{id, "the resource is already unsubscribed"})
			continue
		}
		main := found[n]
		if typ == UnsubscribeRenewals {
			// Ending the renewals is switching auto-renew off.
			if err := s.switchAutoRenew(ctx, caller, id, AutoRenew{}, now); isResourceFailure(err) {
				failures = append(failures, ResourceFailure{id, ErrorMessageOf(err)})
			} else if err != nil {
				return nil, nil, err
			}
			continue
		}
		gone := now.Add(s.Timings.For(main.ProjectID).Deletion)
		for _, i := range found {
			if (i == main || i.ParentID == main.ID) && i.UnsubscribedAt.IsZero() && i.Status(now) != InstanceDeleted {
				if i.AutoRenewUntil.IsZero() || i.AutoRenewUntil.After(now) {
					i.AutoRenewUntil = now
				}
				i.UnsubscribedAt, i.GoneAt = now, gone
				changed = append(changed, i)
			}
		}
		orders = append(orders, &Order{ID: newOrderID(now), Type: OrderUnsubscribe, DomainID: main.DomainID,
			ProjectID: main.ProjectID, ResourceID: main.ID, CreatedAt: now, CompletedAt: gone})
	}
	if err := s.Store.SaveUnsubscriptions(ctx, changed, orders); err != nil {
		return nil, nil, err
	}
	orderIDs := make([]string, 0, len(orders))
	for _, o := range orders {
		orderIDs = append(orderIDs, o.ID)
	}
	return orderIDs, failures, nil
}

// Order returns one of the caller's orders (a purchase, a renewal, a spec
// change or an unsubscription) and the resource it is about. The
// auto-renewals since an instance was last settled are not stored: they
// are derived, from the instance.
func (s *Service) Order(ctx context.Context, caller Caller, id string) (*Order, *Instance, error) {
	now := s.Clock.Now()
	notFound := Errorf(ENOTFOUND, "order %q does not exist", id)
	o, err := s.Store.FindOrder(ctx, caller.DomainID, id)
	if ErrorCodeOf(err) == ENOTFOUND {
		if base, k, ok := splitRenewalID(id); ok {
			return s.derivedRenewal(ctx, caller, base, k, now, notFound)
		}
	}
	if err != nil {
		return nil, nil, err
	}
	found, err := s.Store.Resources(ctx, caller.DomainID, ResourceFilter{ResourceIDs: []string{o.ResourceID}})
	if err != nil || len(found) == 0 {
		return nil, nil, notFound
	}
	return o, found[0], nil
}

// derivedRenewal returns the k-th auto-renewal of the instance bought with
// the order base, if it has happened by now.
func (s *Service) derivedRenewal(ctx context.Context, caller Caller, base string, k int, now time.Time, notFound error) (*Order, *Instance, error) {
	found, err := s.Store.Resources(ctx, caller.DomainID, ResourceFilter{OrderID: base})
	if err != nil {
		return nil, nil, err
	}
	for _, i := range found {
		if n := k - i.AutoRenewals; n >= 1 {
			if renewals := i.RenewalOrders(now); n <= len(renewals) {
				return renewals[n-1], i, nil
			}
		}
	}
	return nil, nil, notFound
}

// ResourceQuery selects resources for BSS's resource query.
type ResourceQuery struct {
	OrderID     string
	ResourceIDs []string
	OnlyMain    bool
	Statuses    []ResourceStatus // empty: any
	Page        Page
}

// ResourceStatus is a resource's status in BSS (CONTRACT §5).
type ResourceStatus int

// The BSS resource statuses.
const (
	ResourceInUse   ResourceStatus = 2
	ResourceClosed  ResourceStatus = 3
	ResourceFrozen  ResourceStatus = 4
	ResourceExpired ResourceStatus = 5
)

// ResourceStatusOf is how BSS sees an instance's status; ok is false while
// it is not yet provisioned (BSS does not show it yet).
func ResourceStatusOf(st InstanceStatus) (ResourceStatus, bool) {
	switch st {
	case InstancePending:
		return 0, false
	case InstanceActive:
		return ResourceInUse, true
	case InstanceGrace:
		return ResourceExpired, true
	case InstanceFrozen:
		return ResourceFrozen, true
	}
	return ResourceClosed, true
}

// QueryResources returns a page of the caller's provisioned resources that
// match q, and their total.
func (s *Service) QueryResources(ctx context.Context, caller Caller, q ResourceQuery) ([]*Instance, int, error) {
	found, err := s.Store.Resources(ctx, caller.DomainID, ResourceFilter{OrderID: q.OrderID, ResourceIDs: q.ResourceIDs})
	if err != nil {
		return nil, 0, err
	}
	now := s.Clock.Now()
	var out []*Instance
	for _, i := range found {
		st, shown := ResourceStatusOf(i.Status(now))
		if !shown || (q.OnlyMain && i.IsPackage()) || (len(q.Statuses) > 0 && !slices.Contains(q.Statuses, st)) {
			continue
		}
		out = append(out, i)
	}
	total := len(out)
	lo := min(q.Page.Offset, total)
	return out[lo:min(lo+q.Page.Limit, total)], total, nil
}
