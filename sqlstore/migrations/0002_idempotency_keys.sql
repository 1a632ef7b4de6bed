-- Idempotency keys of purchases (X-Client-Token, Idempotency-Key): a
-- retried purchase gets the first answer. Keys expire after 24 hours.
CREATE TABLE idempotency_keys (
	project_id   TEXT NOT NULL,
	key          TEXT NOT NULL,
	request_hash TEXT NOT NULL,
	order_id     TEXT NOT NULL,
	resource_id  TEXT NOT NULL,
	created_at   BIGINT NOT NULL,
	CONSTRAINT idempotency_keys_pkey PRIMARY KEY (project_id, key)
);
