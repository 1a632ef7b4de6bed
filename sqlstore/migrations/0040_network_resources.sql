-- The VPCs, subnets and security groups created through the VPC API
-- (network.go). What only one kind has is the JSON document in spec. A
-- subnet's parent_id is its VPC: a VPC with subnets is not deleted.
CREATE TABLE network_resources (
	id         TEXT PRIMARY KEY,
	project_id TEXT NOT NULL,
	kind       TEXT NOT NULL,
	parent_id  TEXT NOT NULL,
	name       TEXT NOT NULL,
	eps_id     TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	spec       TEXT NOT NULL
);
CREATE INDEX network_resources_by_project ON network_resources (project_id, kind, created_at);
CREATE INDEX network_resources_by_parent ON network_resources (parent_id);
