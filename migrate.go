package dayu

import (
	"context"
	"slices"
	"strings"
	"time"
)

// ResourceTypeInstance is a DataArts Studio instance's resource type in the
// Enterprise Project Management Service (EPS), as the Terraform provider
// names it.
const ResourceTypeInstance = "dayu-instance"

// Migration is an EPS request to move a resource into an enterprise
// project.
type Migration struct {
	ResourceType string
	ResourceID   string
	ProjectID    string
	RegionID     string // optional; when given, the project's region
}

// MoveInstance moves one of the caller's instances, with its incremental
// packages, into the enterprise project epsID. The rule of one instance per
// enterprise project holds as for a purchase: a move into an enterprise
// project that holds an instance is refused and changes nothing. A move to
// where the instance already is changes nothing.
func (s *Service) MoveInstance(ctx context.Context, caller Caller, epsID string, m Migration) error {
	if err := s.checkEnterpriseProject(caller, epsID); err != nil {
		return err
	}
	if m.ResourceType != ResourceTypeInstance {
		return Errorf(EINVALID, "resource_type: %q is not a resource type of DataArts Studio; its instances are %q", m.ResourceType, ResourceTypeInstance)
	}
	if err := checkLen("resource_id", m.ResourceID, 1, MaxNameLen); err != nil {
		return err
	}
	project, err := s.migrationProject(caller, m)
	if err != nil {
		return err
	}
	now := s.Clocks.Now(caller.DomainID).Truncate(time.Millisecond)
	i, err := s.liveResource(ctx, caller, m.ResourceID, now)
	switch {
	case ErrorCodeOf(err) == ENOTFOUND || (err == nil && i.ProjectID != project.ID):
		return Errorf(ENOTFOUND, "resource %q of type %s does not exist in project %s", m.ResourceID, ResourceTypeInstance, project.ID)
	case err != nil:
		return err
	case i.IsPackage():
		return Errorf(EINVALID, "resource_id: %q is an incremental package; it moves with its instance %s", i.ID, i.ParentID)
	case i.EpsID == epsID:
		return nil
	}
	err = s.Store.MoveInstance(ctx, i, epsID, now)
	if ErrorCodeOf(err) == ECONFLICT {
		return Errorf(ECONFLICT, "enterprise_project_id: project %s already has a DataArts Studio instance in enterprise project %q; only one instance per enterprise project is allowed", i.ProjectID, epsID)
	}
	return err
}

// checkEnterpriseProject checks that epsID is one of the caller's
// enterprise projects, unless the service is loose.
func (s *Service) checkEnterpriseProject(caller Caller, epsID string) error {
	d := s.World.DomainByID(caller.DomainID)
	if !s.Loose && (d == nil || !d.HasEnterpriseProject(epsID)) {
		return Errorf(ENOTFOUND, "enterprise project %q does not exist", epsID)
	}
	return nil
}

// migrationProject is the project of a migration: one of the caller's, in
// the migration's region when it names one.
func (s *Service) migrationProject(caller Caller, m Migration) (*Project, error) {
	project, err := s.callerProject(caller, "project_id", m.ProjectID)
	if err != nil {
		return nil, err
	}
	if m.RegionID != "" && m.RegionID != project.RegionID {
		return nil, Errorf(EINVALID, "region_id: project %s is in region %q, not %q", project.ID, project.RegionID, m.RegionID)
	}
	return project, nil
}

// callerProject returns the project id names, one of the caller's.
func (s *Service) callerProject(caller Caller, field, id string) (*Project, error) {
	if id == "" {
		return nil, Errorf(EINVALID, "%s: is required for %s, a regional resource", field, ResourceTypeInstance)
	}
	p := s.World.Project(id)
	if p == nil || p.Domain.ID != caller.DomainID {
		return nil, Errorf(EINVALID, "%s: project %q does not exist", field, id)
	}
	return p, nil
}

// ResourceFilterEPS is an EPS query of the resources of an enterprise
// project (resources/filter).
type ResourceFilterEPS struct {
	ProjectIDs    []string
	ResourceTypes []string
	NameContains  string
	Page          Page
}

// MaxEPSPage is the largest page of an EPS resource query.
const MaxEPSPage = 1000

// EnterpriseProjectResources returns a page of the caller's instances in
// the enterprise project epsID and the projects of f, not gone by now,
// oldest first, and their total.
func (s *Service) EnterpriseProjectResources(ctx context.Context, caller Caller, epsID string, f ResourceFilterEPS) ([]*Instance, int, error) {
	if err := s.checkEPSFilter(caller, epsID, f, ResourceTypeInstance); err != nil {
		return nil, 0, err
	}
	all, err := s.Store.ProjectInstances(ctx, f.ProjectIDs)
	if err != nil {
		return nil, 0, err
	}
	now := s.Clocks.Now(caller.DomainID)
	matched := slices.DeleteFunc(all, func(i *Instance) bool {
		return i.IsPackage() || i.EpsID != epsID || i.Status(now) == InstanceDeleted || !strings.Contains(i.Name, f.NameContains)
	})
	page, total := pageOf(matched, f.Page)
	return page, total, nil
}

// checkEPSFilter checks an EPS query of the resources of one type: an
// enterprise project of the caller's, that type only, and projects of the
// caller's.
func (s *Service) checkEPSFilter(caller Caller, epsID string, f ResourceFilterEPS, resourceType string) error {
	if err := s.checkEnterpriseProject(caller, epsID); err != nil {
		return err
	}
	if len(f.ResourceTypes) == 0 {
		return Errorf(EINVALID, "resource_types: must list at least one resource type")
	}
	for _, t := range f.ResourceTypes {
		if t != resourceType {
			return Errorf(EINVALID, "resource_types: %q cannot be queried with %q; Dayu's resource types are %q and %q, one per query", t, resourceType, ResourceTypeInstance, ResourceTypeVPC)
		}
	}
	if len(f.ProjectIDs) == 0 {
		return Errorf(EINVALID, "projects: must list the projects of %s, a regional resource", resourceType)
	}
	for _, id := range f.ProjectIDs {
		if _, err := s.callerProject(caller, "projects", id); err != nil {
			return err
		}
	}
	return nil
}

// pageOf is the page p of list, and the length of list.
func pageOf[T any](list []T, p Page) ([]T, int) {
	total := len(list)
	lo := min(p.Offset, total)
	return list[lo:min(lo+p.Limit, total)], total
}
