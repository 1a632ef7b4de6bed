-- Workspaces of the instances (workspace.go). A name is unique in its
-- instance. The workspaces of a gone instance stay, unread.
CREATE TABLE workspaces (
	id                  TEXT PRIMARY KEY,
	instance_id         TEXT NOT NULL,
	project_id          TEXT NOT NULL,
	domain_id           TEXT NOT NULL,
	name                TEXT NOT NULL,
	description         TEXT NOT NULL,
	eps_id              TEXT NOT NULL,
	bad_record_location TEXT NOT NULL,
	job_log_location    TEXT NOT NULL,
	is_default          INTEGER NOT NULL,
	create_user         TEXT NOT NULL,
	update_user         TEXT NOT NULL,
	created_at          BIGINT NOT NULL,
	updated_at          BIGINT NOT NULL
);
CREATE UNIQUE INDEX workspaces_by_name ON workspaces (instance_id, name);
-- Instances bought before workspaces get their default one, as
-- Instance.DefaultWorkspace makes it at a purchase: its id is the
-- instance's without dashes.
INSERT INTO workspaces (id, instance_id, project_id, domain_id, name, description, eps_id,
	bad_record_location, job_log_location, is_default, create_user, update_user, created_at, updated_at)
	SELECT REPLACE(id, '-', ''), id, project_id, domain_id, 'default', '', eps_id, '', '', 1,
		create_user, create_user, created_at, created_at
	FROM instances WHERE parent_id = '';
