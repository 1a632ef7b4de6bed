-- Orders, instances, the world document and the token key.
CREATE TABLE orders (
	id          TEXT PRIMARY KEY,
	domain_id   TEXT NOT NULL,
	project_id  TEXT NOT NULL,
	resource_id TEXT NOT NULL,
	created_at  BIGINT NOT NULL
);

CREATE TABLE instances (
	-- seq orders the list, newest first.
	seq               INTEGER PRIMARY KEY AUTOINCREMENT,
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
	-- NULL for packages: the unique index below is the
	-- one-instance-per-enterprise-project rule.
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
	tags              TEXT NOT NULL
);
CREATE UNIQUE INDEX instances_one_per_eps ON instances (project_id, eps_slot);
CREATE INDEX instances_by_project ON instances (project_id, seq);

CREATE TABLE world (
	id  INTEGER PRIMARY KEY,
	doc TEXT NOT NULL
);

CREATE TABLE token_key (
	id      INTEGER PRIMARY KEY,
	key_hex TEXT NOT NULL
);
