package dayu

import (
	"context"
	"strings"
	"time"
)

// Workspace is a DataArts Studio workspace of an instance. Every instance
// has its default workspace from its purchase on: derived from the
// instance, as the lifecycle is, it is part of the purchase's transaction
// at no cost, and it is stored only once it is changed. More workspaces
// may be created. The workspaces of an instance go when it goes: they are
// read only while it is not gone.
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
	// has a stored workspace of that name.
	CreateWorkspace(ctx context.Context, w *Workspace) error
	// Workspaces returns the instance's stored workspaces, the default one
	// (once changed) first, then oldest first.
	Workspaces(ctx context.Context, instanceID string) ([]*Workspace, error)
	// UpdateWorkspace stores a workspace's new name, description,
	// enterprise project, locations, UpdateUser and UpdatedAt, the default
	// workspace whole if it is not stored yet. ENOTFOUND when another
	// workspace does not exist, ECONFLICT when the name is another's.
	UpdateWorkspace(ctx context.Context, w *Workspace) error
	// DeleteWorkspace deletes a workspace that is not the default one;
	// ENOTFOUND when there is no such workspace.
	DeleteWorkspace(ctx context.Context, instanceID, id string) error
}

// DefaultWorkspaceName is the name of an instance's default workspace.
const DefaultWorkspaceName = "default"

// DefaultWorkspace is the workspace an instance is bought with, as it is
// until it is changed. Its id is the instance's without dashes: 32
// hexadecimal digits like every workspace id.
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

// workspacesOf returns all the instance's workspaces, the default one
// first, then the others oldest first.
func (s *Service) workspacesOf(ctx context.Context, i *Instance) ([]*Workspace, error) {
	stored, err := s.Store.Workspaces(ctx, i.ID)
	if err != nil {
		return nil, err
	}
	if len(stored) == 0 || !stored[0].IsDefault {
		stored = append([]*Workspace{i.DefaultWorkspace()}, stored...)
	}
	return stored, nil
}

// pick returns the workspace id of all, or ENOTFOUND.
func pick(all []*Workspace, id string) (*Workspace, error) {
	for _, w := range all {
		if w.ID == id {
			return w, nil
		}
	}
	return nil, Errorf(ENOTFOUND, "workspace %q does not exist", id)
}

// Workspaces returns a page of an instance's workspaces and their total.
func (s *Service) Workspaces(ctx context.Context, caller Caller, projectID, instanceID string, p Page) ([]*Workspace, int, error) {
	i, err := s.instanceOf(ctx, caller, projectID, instanceID, s.Clocks.Now(caller.DomainID))
	if err != nil {
		return nil, 0, err
	}
	all, err := s.workspacesOf(ctx, i)
	if err != nil {
		return nil, 0, err
	}
	lo := min(p.Offset, len(all))
	return all[lo:min(lo+p.Limit, len(all))], len(all), nil
}

// Workspace returns one of an instance's workspaces.
func (s *Service) Workspace(ctx context.Context, caller Caller, projectID, instanceID, id string) (*Workspace, error) {
	i, err := s.instanceOf(ctx, caller, projectID, instanceID, s.Clocks.Now(caller.DomainID))
	if err != nil {
		return nil, err
	}
	all, err := s.workspacesOf(ctx, i)
	if err != nil {
		return nil, err
	}
	return pick(all, id)
}

// CreateWorkspace creates a workspace of an instance.
func (s *Service) CreateWorkspace(ctx context.Context, caller Caller, projectID, instanceID string, spec WorkspaceSpec) (*Workspace, error) {
	now := s.Clocks.Now(caller.DomainID).Truncate(time.Millisecond)
	i, all, err := s.changingWorkspaces(ctx, caller, projectID, instanceID, spec, now)
	if err != nil {
		return nil, err
	}
	if err := nameFree(all, spec.Name, "", instanceID); err != nil {
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
	now := s.Clocks.Now(caller.DomainID).Truncate(time.Millisecond)
	_, all, err := s.changingWorkspaces(ctx, caller, projectID, instanceID, spec, now)
	if err != nil {
		return nil, err
	}
	w, err := pick(all, id)
	if err != nil {
		return nil, err
	}
	if err := nameFree(all, spec.Name, id, instanceID); err != nil {
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
	i, err := s.writableInstance(ctx, caller, projectID, instanceID, s.Clocks.Now(caller.DomainID))
	if err != nil {
		return err
	}
	all, err := s.workspacesOf(ctx, i)
	if err != nil {
		return err
	}
	w, err := pick(all, id)
	if err != nil {
		return err
	}
	if w.IsDefault {
		return Errorf(EINVALID, "workspace_id: %s is the default workspace of instance %s, which cannot be deleted", id, instanceID)
	}
	return s.Store.DeleteWorkspace(ctx, instanceID, id)
}

// changingWorkspaces checks a create or an update of an instance's
// workspaces and returns the instance and its workspaces.
func (s *Service) changingWorkspaces(ctx context.Context, caller Caller, projectID, instanceID string, spec WorkspaceSpec, now time.Time) (*Instance, []*Workspace, error) {
	if err := spec.validate(); err != nil {
		return nil, nil, err
	}
	if err := s.checkEnterpriseProject(caller, spec.EpsID); err != nil {
		return nil, nil, Errorf(EINVALID, "eps_id: %s", ErrorMessageOf(err))
	}
	i, err := s.writableInstance(ctx, caller, projectID, instanceID, now)
	if err != nil {
		return nil, nil, err
	}
	all, err := s.workspacesOf(ctx, i)
	return i, all, err
}

// nameFree checks that no workspace but except is named name. The store's
// unique index settles races between stored workspaces; this also covers
// the default workspace before it is stored.
func nameFree(all []*Workspace, name, except, instanceID string) error {
	for _, w := range all {
		if w.Name == name && w.ID != except {
			return workspaceError(Errorf(ECONFLICT, "taken"), instanceID, name)
		}
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
