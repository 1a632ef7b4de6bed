-- The lifecycle timings, one row a project ('' is the default): two nodes
-- that change two projects' timings at once each write their own row, so
-- neither change is lost (the one document they replace was read, changed
-- and written back whole).
CREATE TABLE timings (
	project_id      TEXT PRIMARY KEY,
	provisioning_ms BIGINT NOT NULL,
	deletion_ms     BIGINT NOT NULL,
	grace_ms        BIGINT NOT NULL,
	retention_ms    BIGINT NOT NULL
);
