-- The list and its count filter on gone_at: with it in the index they read
-- the index alone, not every row of the project (docs/performance.md).
CREATE INDEX instances_listed ON instances (project_id, seq, gone_at);
DROP INDEX instances_by_project;
