-- Orders, instances, named documents (world, timings, clock) and the token key.
-- One schema for every engine: {{serial}} is the engine's auto-numbered
-- primary key (Dialect.Serial). Plain tables and indexes only (no triggers,
-- no extensions), so that PostgreSQL-compatible distributed databases accept
-- it too.
CREATE TABLE orders (
	id           TEXT PRIMARY KEY,
	type         INTEGER NOT NULL,
	domain_id    TEXT NOT NULL,
	project_id   TEXT NOT NULL,
	resource_id  TEXT NOT NULL,
	created_at   BIGINT NOT NULL,
	completed_at BIGINT NOT NULL
);
CREATE INDEX orders_by_resource ON orders (resource_id);

CREATE TABLE instances (
	-- seq orders the list, newest first.
	seq               {{serial}},
	id                TEXT NOT NULL UNIQUE,
	project_id        TEXT NOT NULL,
	domain_id         TEXT NOT NULL,
	order_id          TEXT NOT NULL REFERENCES orders (id),
	name              TEXT NOT NULL,
	region_id         TEXT NOT NULL,
	availability_zone TEXT NOT NULL,
	vpc_id            TEXT NOT NULL,
	net_id            TEXT NOT NULL,
	security_group_id TEXT NOT NULL,
	eps_id            TEXT NOT NULL,
	-- eps_slot is eps_id while the instance holds its enterprise project,
	-- NULL for packages and, once reaped, for gone instances: the unique
	-- index below is the one-instance-per-enterprise-project rule.
	eps_slot          TEXT,
	spec_code         TEXT NOT NULL,
	product_id        TEXT NOT NULL,
	period_type       INTEGER NOT NULL,
	period_num        INTEGER NOT NULL,
	is_auto_renew     INTEGER NOT NULL,
	extension_package TEXT NOT NULL,
	parent_id         TEXT NOT NULL,
	create_user       TEXT NOT NULL,
	created_at        BIGINT NOT NULL,
	effective_at      BIGINT NOT NULL,
	expires_at        BIGINT NOT NULL,
	tags              TEXT NOT NULL,
	-- The lifecycle, derived from these when read (see lifecycle.go).
	-- 0 stands for "none" in the times, NULL in gone_at for "never".
	auto_renew_until  BIGINT NOT NULL,
	grace_ms          BIGINT NOT NULL,
	retention_ms      BIGINT NOT NULL,
	unsubscribed_at   BIGINT NOT NULL,
	gone_at           BIGINT
);
CREATE UNIQUE INDEX instances_one_per_eps ON instances (project_id, eps_slot);
CREATE INDEX instances_by_project ON instances (project_id, seq);
CREATE INDEX instances_by_order ON instances (order_id);
CREATE INDEX instances_by_parent ON instances (parent_id);

CREATE TABLE documents (
	name TEXT PRIMARY KEY,
	doc  TEXT NOT NULL
);

CREATE TABLE token_key (
	id      INTEGER PRIMARY KEY,
	key_hex TEXT NOT NULL
);
