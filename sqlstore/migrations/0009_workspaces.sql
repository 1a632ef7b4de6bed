-- Workspaces of the instances (workspace.go). A name is unique in its
-- instance. An instance's default workspace is derived from the instance
-- (Instance.DefaultWorkspace) and stored here only once it is changed
-- (is_default 1). The workspaces of a gone instance stay, unread.
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
