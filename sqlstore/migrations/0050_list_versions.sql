-- The list cache's validator (docs/performance.md, "Fourth round"): every
-- transaction that changes a project's instances adds one to v of one of
-- the project's count rows, so SUM(v) over them, read in the page's count
-- query, changes with every committed change and never comes back (count
-- rows are never deleted; Reset and state imports zero n and add to v).
-- It lives in the sharded count rows so that concurrent purchases into
-- one project write no common row.
ALTER TABLE instance_counts ADD COLUMN v BIGINT NOT NULL DEFAULT 0;
