-- The instance's life after its purchase (lifecycle.go, renew.go, change.go).
-- Still derived when read: these are the facts it is derived from.
-- The renewals up to settled_at are stored orders; they added renewed_months
-- to the first term, auto_renewals of them by auto-renew (ids <order>-R<n>).
ALTER TABLE instances ADD COLUMN renewed_months INTEGER NOT NULL DEFAULT 0;
ALTER TABLE instances ADD COLUMN auto_renewals INTEGER NOT NULL DEFAULT 0;
ALTER TABLE instances ADD COLUMN settled_at BIGINT NOT NULL DEFAULT 0;
-- A spec change: the edition and product id from next_spec_at on.
ALTER TABLE instances ADD COLUMN next_spec_code TEXT NOT NULL DEFAULT '';
ALTER TABLE instances ADD COLUMN next_product_id TEXT NOT NULL DEFAULT '';
ALTER TABLE instances ADD COLUMN next_spec_at BIGINT NOT NULL DEFAULT 0;
-- Counts the changes of the lifecycle columns: a change computed from an
-- older rev is refused (optimistic concurrency, so racing nodes never both win).
ALTER TABLE instances ADD COLUMN rev BIGINT NOT NULL DEFAULT 0;
-- hold: 0, the status follows the times; 6 pending payment; 4 cancelled.
-- paid_at 0: paid when placed. A renewal's period, a spec change's edition.
ALTER TABLE orders ADD COLUMN hold INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN paid_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN period_type INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN period_num INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN spec_code TEXT NOT NULL DEFAULT '';
