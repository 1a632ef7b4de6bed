package dayu

import (
	"context"
	"strings"
	"time"
)

// Workspace is a DataArts Studio workspace of an instance. Every instance
// has its default workspace from its purchase; more may be created. The
// workspaces of an instance go when it goes: they are read only while it is
// not gone.
type Workspace struct {
	ID                string
	InstanceID        string
	ProjectID         string
	DomainID          string
	Name              string
	Description       string
	EpsID             string
	BadRecordLocation string // bad_record_location_name on the wire
	JobLogLocation    string // job_log_location_name on the wire
	IsDefault         bool
	CreateUser        string
	UpdateUser        string
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// WorkspaceStore keeps workspaces.
type WorkspaceStore interface {
	// CreateWorkspace stores a new workspace; ECONFLICT when its instance
	// has a workspace of that name.
	CreateWorkspace(ctx context.Context, w *Workspace) error
	// Workspaces returns a page of the instance's workspaces, the default
	// one first, then oldest first, and their total.
	Workspaces(ctx context.Context, instanceID string, p Page) ([]*Workspace, int, error)
	// FindWorkspace returns one of the instance's workspaces, ENOTFOUND if
	// none.
	FindWorkspace(ctx context.Context, instanceID, id string) (*Workspace, error)
	// UpdateWorkspace stores a workspace's new name, description,
	// enterprise project, locations, UpdateUser and UpdatedAt; ENOTFOUND
	// when it does not exist, ECONFLICT when the name is another's.
	UpdateWorkspace(ctx context.Context, w *Workspace) error
	// DeleteWorkspace deletes a workspace that is not the default one;
	// ENOTFOUND when there is no such workspace.
	DeleteWorkspace(ctx context.Context, instanceID, id string) error
}

// DefaultWorkspaceName is the name of an instance's default workspace.
const DefaultWorkspaceName = "default"

// DefaultWorkspace is the workspace an instance is bought with. Its id is
// the instance's without dashes: 32 hexadecimal digits like every
// workspace id, and known without a lookup (migration 0006 gives instances
// bought before workspaces theirs by the same rule).
func (i *Instance) DefaultWorkspace() *Workspace {
	return &Workspace{
		ID: strings.ReplaceAll(i.ID, "-", ""), InstanceID: i.ID, ProjectID: i.ProjectID, DomainID: i.DomainID,
		Name: DefaultWorkspaceName, EpsID: i.EpsID, IsDefault: true,
		CreateUser: i.CreateUser, UpdateUser: i.CreateUser, CreatedAt: i.CreatedAt, UpdatedAt: i.CreatedAt,
	}
}

// WorkspaceSpec is what a create or an update of a workspace sets.
type WorkspaceSpec struct {
	Name              string
	Description       string
	EpsID             string
	BadRecordLocation string
	JobLogLocation    string
}

// MaxWorkspaceDescriptionLen is the longest description of a workspace.
const MaxWorkspaceDescriptionLen = 1024

func (w *WorkspaceSpec) validate() error {
	return checkFields(
		field{"name", w.Name, 1, MaxNameLen},
		field{"description", w.Description, 0, MaxWorkspaceDescriptionLen},
		field{"eps_id", w.EpsID, 1, MaxNameLen},
		field{"bad_record_location_name", w.BadRecordLocation, 0, MaxNameLen},
		field{"job_log_location_name", w.JobLogLocation, 0, MaxNameLen},
	)
}

// instanceOf returns the project's instance (not a package) that is not
// gone at now.
func (s *Service) instanceOf(ctx context.Context, caller Caller, projectID, id string, now time.Time) (*Instance, error) {
	found, err := s.Store.Resources(ctx, caller.DomainID, ResourceFilter{ResourceIDs: []string{id}})
	if err != nil {
		return nil, err
	}
	if len(found) == 0 || found[0].ProjectID != projectID || found[0].IsPackage() || found[0].Status(now) == InstanceDeleted {
		return nil, Errorf(ENOTFOUND, "instance %q does not exist", id)
	}
	return found[0], nil
}

// writableInstance is instanceOf for a change of its workspaces: the
// instance must be in effect or in its grace period.
func (s *Service) writableInstance(ctx context.Context, caller Caller, projectID, id string, now time.Time) (*Instance, error) {
	i, err := s.instanceOf(ctx, caller, projectID, id, now)
	if err != nil {
		return nil, err
	}
	if st := i.Status(now); st != InstanceActive && st != InstanceGrace {
		return nil, Errorf(EINVALID, "instance_id: instance %q is not in effect (status %d); its workspaces cannot change", id, st)
	}
	return i, nil
}

// Workspaces returns a page of an instance's workspaces and their total.
func (s *Service) Workspaces(ctx context.Context, caller Caller, projectID, instanceID string, p Page) ([]*Workspace, int, error) {
	if _, err := s.instanceOf(ctx, caller, projectID, instanceID, s.Clock.Now()); err != nil {
		return nil, 0, err
	}
	return s.Store.Workspaces(ctx, instanceID, p)
}

// Workspace returns one of an instance's workspaces.
func (s *Service) Workspace(ctx context.Context, caller Caller, projectID, instanceID, id string) (*Workspace, error) {
	if _, err := s.instanceOf(ctx, caller, projectID, instanceID, s.Clock.Now()); err != nil {
		return nil, err
	}
	return s.Store.FindWorkspace(ctx, instanceID, id)
}

// CreateWorkspace creates a workspace of an instance.
func (s *Service) CreateWorkspace(ctx context.Context, caller Caller, projectID, instanceID string, spec WorkspaceSpec) (*Workspace, error) {
	if err := s.checkWorkspaceSpec(caller, spec); err != nil {
		return nil, err
	}
	now := s.Clock.Now().Truncate(time.Millisecond)
	i, err := s.writableInstance(ctx, caller, projectID, instanceID, now)
	if err != nil {
		return nil, err
	}
	w := &Workspace{ID: strings.ReplaceAll(newResourceID(), "-", ""), InstanceID: i.ID, ProjectID: i.ProjectID, DomainID: i.DomainID,
		CreateUser: caller.UserName, UpdateUser: caller.UserName, CreatedAt: now, UpdatedAt: now}
	w.set(spec)
	if err := s.Store.CreateWorkspace(ctx, w); err != nil {
		return nil, workspaceError(err, instanceID, spec.Name)
	}
	return w, nil
}

// UpdateWorkspace replaces what spec sets of one of an instance's
// workspaces.
func (s *Service) UpdateWorkspace(ctx context.Context, caller Caller, projectID, instanceID, id string, spec WorkspaceSpec) (*Workspace, error) {
	if err := s.checkWorkspaceSpec(caller, spec); err != nil {
		return nil, err
	}
	now := s.Clock.Now().Truncate(time.Millisecond)
	if _, err := s.writableInstance(ctx, caller, projectID, instanceID, now); err != nil {
		return nil, err
	}
	w, err := s.Store.FindWorkspace(ctx, instanceID, id)
	if err != nil {
		return nil, err
	}
	w.set(spec)
	w.UpdateUser, w.UpdatedAt = caller.UserName, now
	if err := s.Store.UpdateWorkspace(ctx, w); err != nil {
		return nil, workspaceError(err, instanceID, spec.Name)
	}
	return w, nil
}

// DeleteWorkspace deletes one of an instance's workspaces, not its default
// one.
func (s *Service) DeleteWorkspace(ctx context.Context, caller Caller, projectID, instanceID, id string) error {
	if _, err := s.writableInstance(ctx, caller, projectID, instanceID, s.Clock.Now()); err != nil {
		return err
	}
	w, err := s.Store.FindWorkspace(ctx, instanceID, id)
	if err != nil {
		return err
	}
	if w.IsDefault {
		return Errorf(EINVALID, "workspace_id: %s is the default workspace of instance %s, which cannot be deleted", id, instanceID)
	}
	return s.Store.DeleteWorkspace(ctx, instanceID, id)
}

func (s *Service) checkWorkspaceSpec(caller Caller, spec WorkspaceSpec) error {
	if err := spec.validate(); err != nil {
		return err
	}
	if err := s.checkEnterpriseProject(caller, spec.EpsID); err != nil {
		return Errorf(EINVALID, "eps_id: %s", ErrorMessageOf(err))
	}
	return nil
}

func (w *Workspace) set(spec WorkspaceSpec) {
	w.Name, w.Description, w.EpsID = spec.Name, spec.Description, spec.EpsID
	w.BadRecordLocation, w.JobLogLocation = spec.BadRecordLocation, spec.JobLogLocation
}

// workspaceError words the store's ECONFLICT: a name already taken.
func workspaceError(err error, instanceID, name string) error {
	if ErrorCodeOf(err) == ECONFLICT {
		return Errorf(ECONFLICT, "name: instance %s already has a workspace named %q", instanceID, name)
	}
	return err
}
