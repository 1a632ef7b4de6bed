-- The list's count without reading the project (docs/performance.md): every
-- instance stored in a project adds one to one of its count rows, in the
-- purchase's own transaction, and the count a page shows is their sum less
-- the project's gone instances. An instance is gone only once unsubscribed
-- (gone_at set), so the partial index below holds the few rows that can be,
-- not the project. It is on -gone_at, which only the count's query names:
-- on gone_at itself, PostgreSQL (without statistics) took it for the list's
-- "gone_at > now" too and sorted the whole project for every page. The
-- rows are spread over shards so that concurrent group commits
-- (PostgreSQL's writers, other nodes) seldom wait on one row.
CREATE TABLE instance_counts (
	project_id TEXT NOT NULL,
	shard      INTEGER NOT NULL,
	n          BIGINT NOT NULL,
	PRIMARY KEY (project_id, shard)
);
INSERT INTO instance_counts (project_id, shard, n)
	SELECT project_id, 0, COUNT(*) FROM instances GROUP BY project_id;
CREATE INDEX instances_gone ON instances (project_id, (-gone_at)) WHERE gone_at IS NOT NULL;
