-- The fault rules of the admin API, shared by every node. remaining is what
-- is left of count (0 in both: no limit); the times are Unix milliseconds,
-- expires_at 0 for never; error_status 0 for no error action.
CREATE TABLE fault_rules (
	seq             {{serial}},
	id              TEXT NOT NULL UNIQUE,
	operation       TEXT NOT NULL,
	project_id      TEXT NOT NULL,
	probability     DOUBLE PRECISION NOT NULL,
	count           INTEGER NOT NULL,
	remaining       INTEGER NOT NULL,
	latency_ms      BIGINT NOT NULL,
	error_status    INTEGER NOT NULL,
	error_code      TEXT NOT NULL,
	error_msg       TEXT NOT NULL,
	drop_connection INTEGER NOT NULL,
	lose_response   INTEGER NOT NULL,
	created_at      BIGINT NOT NULL,
	expires_at      BIGINT NOT NULL
);
