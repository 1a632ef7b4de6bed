-- The domains' test clocks (admin API): offset ahead of the server's clock,
-- or frozen at a time (Unix milliseconds). version counts the changes, so a
-- change computed from an older one is refused rather than lost.
CREATE TABLE test_clocks (
	domain_id TEXT PRIMARY KEY,
	offset_ms BIGINT NOT NULL,
	frozen    INTEGER NOT NULL,
	frozen_at BIGINT NOT NULL,
	version   INTEGER NOT NULL
);
