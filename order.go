package dayu

import (
	"context"
	"errors"
	"slices"
	"time"
)

// UnsubscribeType says what an unsubscription ends (docs/contract.md §5).
type UnsubscribeType int

// The unsubscribe types.
const (
	UnsubscribeResource UnsubscribeType = 1 // the resource and its renewals
	UnsubscribeRenewals UnsubscribeType = 2 // only the renewals
)

// MaxUnsubscribeIDs is the most resources one unsubscription may name
// (Huawei's documentation says 10; Dayu takes more, and no client sends
// more than one).
const MaxUnsubscribeIDs = 100

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
	if len(ids) == 0 || len(ids) > MaxUnsubscribeIDs {
		return nil, nil, Errorf(EINVALID, "resource_ids: must list 1-%d resource ids, got %d", MaxUnsubscribeIDs, len(ids))
	}
	found, err := s.Store.Resources(ctx, caller.DomainID, ResourceFilter{ResourceIDs: ids})
	if err != nil {
		return nil, nil, err
	}
	now := s.Clocks.Now(caller.DomainID).Truncate(time.Millisecond)
	var changed []*Instance
	var orders []*Order
	var failures []ResourceFailure
	var ended []string // the ids this request ends, if no other request ends them first
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
		ended = append(ended, id)
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
	lost, err := s.Store.SaveUnsubscriptions(ctx, changed, orders)
	if err != nil {
		return nil, nil, err
	}
	// A racing request unsubscribed these first: the resource is ended,
	// by that request and its order.
	for _, id := range ended {
		if slices.Contains(lost, id) {
			failures = append(failures, ResourceFailure{id, "the resource is already unsubscribed (by another request)"})
		}
	}
	orderIDs := make([]string, 0, len(orders))
	for _, o := range orders {
		if !slices.Contains(lost, o.ResourceID) {
			orderIDs = append(orderIDs, o.ID)
		}
	}
	return orderIDs, failures, nil
}

// OrderDetails is an order, the resource it is about, and the moment they
// were read at: the order's status and the resource's term are as of At.
type OrderDetails struct {
	Order    *Order
	Resource *Instance
	At       time.Time
}

// Order returns one of the caller's orders (a purchase, a renewal, a spec
// change or an unsubscription) and the resource it is about. The
// auto-renewals since an instance was last settled are not stored: they
// are derived, from the instance.
func (s *Service) Order(ctx context.Context, caller Caller, id string) (OrderDetails, error) {
	now := s.Clocks.Now(caller.DomainID)
	notFound := Errorf(ENOTFOUND, "order %q does not exist", id)
	o, err := s.Store.FindOrder(ctx, caller.DomainID, id)
	if errors.Is(err, ErrOrderNotFound) {
		if base, k, ok := splitRenewalID(id); ok {
			o, i, err := s.derivedRenewal(ctx, caller, base, k, now, notFound)
			return OrderDetails{o, i, now}, err
		}
		return OrderDetails{}, notFound
	}
	if err != nil {
		return OrderDetails{}, err
	}
	found, err := s.Store.Resources(ctx, caller.DomainID, ResourceFilter{ResourceIDs: []string{o.ResourceID}, OnlyMain: true})
	if err != nil || len(found) == 0 {
		return OrderDetails{}, notFound
	}
	return OrderDetails{o, found[0], now}, nil
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

// ResourceQuery selects a page of a domain's resources, as BSS's resource
// query does: those its filter selects that are provisioned at At (BSS
// does not show a resource before), have one of Statuses and whose term
// expires within ExpireFrom to ExpireTo, as of At.
type ResourceQuery struct {
	ResourceFilter
	Statuses   []ResourceStatus // empty: any
	ExpireFrom time.Time        // zero: no lower bound
	ExpireTo   time.Time        // zero: no upper bound
	At         time.Time        // set by Service.QueryResources
	Page       Page
}

// ByTime reports whether q has filters that only Shows can tell, because
// they follow from the lifecycle at At; without them a store can count and
// page in its index.
func (q *ResourceQuery) ByTime() bool {
	return len(q.Statuses) > 0 || !q.ExpireFrom.IsZero() || !q.ExpireTo.IsZero()
}

// Shows reports whether q selects i by what changes with time (the
// ResourceFilter is the store's to match): i is provisioned at q.At, has
// one of q.Statuses and its term expires within q's bounds.
func (q *ResourceQuery) Shows(i *Instance) bool {
	st, shown := ResourceStatusOf(i.Status(q.At))
	if !shown || len(q.Statuses) > 0 && !slices.Contains(q.Statuses, st) {
		return false
	}
	if q.ExpireFrom.IsZero() && q.ExpireTo.IsZero() {
		return true
	}
	exp, _ := i.Term(q.At)
	return !exp.Before(q.ExpireFrom) && (q.ExpireTo.IsZero() || !exp.After(q.ExpireTo))
}

// ResourceStatus is a resource's status in BSS (docs/contract.md §5).
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

// QueryResources returns a page of the caller's domain's resources that q
// selects now, and their total.
func (s *Service) QueryResources(ctx context.Context, caller Caller, q ResourceQuery) (Listing, error) {
	q.At = s.Clocks.Now(caller.DomainID)
	list, total, err := s.Store.QueryResources(ctx, caller.DomainID, q)
	return Listing{Instances: list, Total: total, At: q.At}, err
}
