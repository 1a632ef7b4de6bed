package dayu

import (
	"context"
	"time"
)

// ChangeMode is what a DataArts Studio change-resource request asks for.
type ChangeMode int

// The change modes of ChangeResource.
const (
	ChangeUpgrade   ChangeMode = 10
	ChangeDowngrade ChangeMode = 30
	ChangeRenewal   ChangeMode = 40 // a renewal by one period
	ChangeExpansion ChangeMode = 60
)

// SpecChange is a change-resource request.
type SpecChange struct {
	Mode       ChangeMode
	ResourceID string
	SpecCode   string
}

// ChangeResource changes one of the project's instances and returns the
// order it placed. An upgrade or a downgrade moves it to another edition of
// the catalog, higher or lower in the catalog's ranks, once the order
// completes (after the project's provisioning delay); its term stays. A
// renewal extends the term by one period, as BSS's renewal with auto-pay
// does. Expansion is refused: a DataArts Studio instance grows by
// incremental packages.
func (s *Service) ChangeResource(ctx context.Context, caller Caller, projectID string, c SpecChange) (*Order, error) {
	if err := checkFields(field{"resource_id", c.ResourceID, 1, MaxNameLen}, field{"resource_spec_code", c.SpecCode, 1, MaxNameLen}); err != nil {
		return nil, err
	}
	switch c.Mode {
	case ChangeUpgrade, ChangeDowngrade, ChangeRenewal:
	case ChangeExpansion:
		return nil, Errorf(EINVALID, "change_mode: 60 (expansion) does not apply to a DataArts Studio instance: expand it with an incremental package (onekey-purchase with extesion_package_type and binding_instance_id)")
	default:
		return nil, Errorf(EINVALID, "change_mode: must be 10 (upgrade), 30 (downgrade), 40 (renewal) or 60 (expansion), got %d", c.Mode)
	}
	now := s.Clocks.Now(caller.DomainID).Truncate(time.Millisecond)
	var placed *Order
	err := retry(func() error {
		i, err := s.liveResource(ctx, caller, c.ResourceID, now)
		switch {
		case err != nil:
			return err
		case i.ProjectID != projectID:
			return Errorf(ENOTFOUND, "resource %q does not exist", c.ResourceID)
		case i.IsPackage():
			return Errorf(EINVALID, "resource_id: %q is an incremental package; only an instance changes", c.ResourceID)
		}
		current, _ := i.SpecAt(now)
		if c.Mode == ChangeRenewal {
			if c.SpecCode != current {
				return Errorf(EINVALID, "resource_spec_code: a renewal (change_mode 40) keeps the edition %s, got %s", current, c.SpecCode)
			}
			placed = s.renewalOrder(i, i.PeriodType, i.PeriodNum, now)
			orders := append(i.renew(now, i.PeriodType, i.PeriodNum), placed)
			return s.Store.SaveLifecycle(ctx, LifecycleWrite{Instance: i, Orders: orders})
		}
		to, err := s.checkSpecChange(i, c, current, now)
		if err != nil {
			return err
		}
		done := now.Add(s.Timings.For(i.ProjectID).Provisioning)
		placed = &Order{ID: newOrderID(now), Type: OrderChange, DomainID: i.DomainID, ProjectID: i.ProjectID,
			ResourceID: i.ID, CreatedAt: now, CompletedAt: done, SpecCode: to.SpecCode}
		orders := append(i.settle(now), placed)
		i.NextSpecCode, i.NextProductID, i.NextSpecAt = to.SpecCode, to.ProductID, done
		return s.Store.SaveLifecycle(ctx, LifecycleWrite{Instance: i, Orders: orders})
	})
	if err != nil {
		return nil, err
	}
	return placed, nil
}

// checkSpecChange returns the edition an upgrade or a downgrade of i, now
// of edition current, moves to, or why it may not.
func (s *Service) checkSpecChange(i *Instance, c SpecChange, current string, now time.Time) (*Edition, error) {
	if st := i.Status(now); st != InstanceActive {
		return nil, Errorf(EINVALID, "resource_id: instance %q is not in effect (status %d); only an instance in effect changes its edition", i.ID, st)
	}
	if now.Before(i.NextSpecAt) {
		return nil, Errorf(EINVALID, "resource_id: instance %q is already changing to %s", i.ID, i.NextSpecCode)
	}
	to := s.World.Edition(c.SpecCode)
	if to == nil {
		return nil, Errorf(EINVALID, "resource_spec_code: %q is not an edition of the catalog", c.SpecCode)
	}
	from := s.World.Edition(current)
	if from == nil {
		return nil, Errorf(EINVALID, "resource_id: the edition of instance %q, %s, is no longer in the catalog", i.ID, current)
	}
	switch {
	case c.Mode == ChangeUpgrade && to.Rank <= from.Rank:
		return nil, Errorf(EINVALID, "resource_spec_code: an upgrade (change_mode 10) needs an edition above %s (rank %d); %s has rank %d", from.SpecCode, from.Rank, to.SpecCode, to.Rank)
	case c.Mode == ChangeDowngrade && to.Rank >= from.Rank:
		return nil, Errorf(EINVALID, "resource_spec_code: a downgrade (change_mode 30) needs an edition below %s (rank %d); %s has rank %d", from.SpecCode, from.Rank, to.SpecCode, to.Rank)
	}
	return to, nil
}

// SpecAt returns the instance's edition and its product id at now: the
// spec change's once it has completed.
func (i *Instance) SpecAt(now time.Time) (specCode, productID string) {
	if !i.NextSpecAt.IsZero() && !now.Before(i.NextSpecAt) {
		return i.NextSpecCode, i.NextProductID
	}
	return i.SpecCode, i.ProductID
}
