package sqlstore

import (
	"context"
	"database/sql"

	"github.com/dayu-emu/dayu"
)

// workspaceColumns is the column list of workspaces, in workspaceArgs' and
// scanWorkspace's order.
const workspaceColumns = `id, instance_id, project_id, domain_id, name, description, eps_id,
	bad_record_location, job_log_location, is_default, create_user, update_user, created_at, updated_at`

const (
	insertWorkspace = `INSERT INTO workspaces (` + workspaceColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	listWorkspaces  = `SELECT ` + workspaceColumns + ` FROM workspaces WHERE instance_id = ? ORDER BY is_default DESC, created_at, id`
	updateWorkspace = `UPDATE workspaces SET name = ?, description = ?, eps_id = ?, bad_record_location = ?, job_log_location = ?,
		update_user = ?, updated_at = ? WHERE id = ? AND instance_id = ?`
	// The default workspace's first change stores it.
	upsertDefaultWorkspace = insertWorkspace + ` ON CONFLICT (id) DO UPDATE SET name = excluded.name,
		description = excluded.description, eps_id = excluded.eps_id, bad_record_location = excluded.bad_record_location,
		job_log_location = excluded.job_log_location, update_user = excluded.update_user, updated_at = excluded.updated_at`
	deleteWorkspace = `DELETE FROM workspaces WHERE id = ? AND instance_id = ? AND is_default = 0`
)

// workspaceArgs are w's values for an insert of workspaceColumns.
func workspaceArgs(w *dayu.Workspace) []any {
	isDefault := 0
	if w.IsDefault {
		isDefault = 1
	}
	return []any{w.ID, w.InstanceID, w.ProjectID, w.DomainID, w.Name, w.Description, w.EpsID,
		w.BadRecordLocation, w.JobLogLocation, isDefault, w.CreateUser, w.UpdateUser, ms(w.CreatedAt), ms(w.UpdatedAt)}
}

func scanWorkspace(row interface{ Scan(...any) error }) (*dayu.Workspace, error) {
	var w dayu.Workspace
	var isDefault int
	var created, updated int64
	err := row.Scan(&w.ID, &w.InstanceID, &w.ProjectID, &w.DomainID, &w.Name, &w.Description, &w.EpsID,
		&w.BadRecordLocation, &w.JobLogLocation, &isDefault, &w.CreateUser, &w.UpdateUser, &created, &updated)
	if err != nil {
		return nil, err
	}
	w.IsDefault, w.CreatedAt, w.UpdatedAt = isDefault == 1, fromMS(created), fromMS(updated)
	return &w, nil
}

// nameTaken turns a violation of the unique workspace name into
// ErrWorkspaceNameTaken.
func (s *Store) nameTaken(err error) error {
	if err != nil && s.dialect.IsUniqueViolation(err, "workspaces_by_name") {
		return dayu.ErrWorkspaceNameTaken
	}
	return err
}

// CreateWorkspace stores a new workspace.
func (s *Store) CreateWorkspace(ctx context.Context, w *dayu.Workspace) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.sql(insertWorkspace), workspaceArgs(w)...)
		return s.nameTaken(err)
	})
}

// Workspaces returns the instance's stored workspaces.
func (s *Store) Workspaces(ctx context.Context, instanceID string) ([]*dayu.Workspace, error) {
	rows, err := s.read.QueryContext(ctx, s.sql(listWorkspaces), instanceID)
	return scanAll(s, rows, err, scanWorkspace)
}

// UpdateWorkspace stores a workspace's changed fields; the default
// workspace is stored by its first change.
func (s *Store) UpdateWorkspace(ctx context.Context, w *dayu.Workspace) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if w.IsDefault {
			_, err := tx.ExecContext(ctx, s.sql(upsertDefaultWorkspace), workspaceArgs(w)...)
			return s.nameTaken(err)
		}
		res, err := tx.ExecContext(ctx, s.sql(updateWorkspace), w.Name, w.Description, w.EpsID, w.BadRecordLocation, w.JobLogLocation,
			w.UpdateUser, ms(w.UpdatedAt), w.ID, w.InstanceID)
		return oneRow(res, s.nameTaken(err), dayu.ErrWorkspaceNotFound)
	})
}

// DeleteWorkspace deletes a workspace other than the default one.
func (s *Store) DeleteWorkspace(ctx context.Context, instanceID, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.sql(deleteWorkspace), id, instanceID)
		return oneRow(res, err, dayu.ErrWorkspaceNotFound)
	})
}
