package sqlstore

import "strings"

// instanceColumns is the column list every instance read scans, in
// scanInstance's order.
const instanceColumns = `id, project_id, domain_id, order_id, name, region_id, availability_zone,
	vpc_id, net_id, security_group_id, eps_id, spec_code, product_id,
	period_type, period_num, is_auto_renew, extension_package, parent_id, create_user,
	created_at, effective_at, expires_at, tags,
	auto_renew_until, grace_ms, retention_ms, unsubscribed_at, gone_at,
	renewed_months, auto_renewals, settled_at, next_spec_code, next_product_id, next_spec_at, rev`

// notGone is the condition of an instance still in the list at the time
// bound to its placeholder.
const notGone = `(gone_at IS NULL OR gone_at > ?)`

// provisioned is the condition of an instance that BSS shows at the time
// bound to its two placeholders: in effect by then, or unsubscribed or gone
// (dayu.ResourceStatusOf).
const provisioned = `(effective_at <= ? OR unsubscribed_at <> 0 OR (gone_at IS NOT NULL AND gone_at <= ?))`

// insertOrderRow and insertInstanceRow store one order and one instance, and
// are the rows of a pipeline's multi-row inserts (multiRow): both end in
// their VALUES tuple.
const (
	insertOrderRow    = `INSERT INTO orders (id, type, domain_id, project_id, resource_id, created_at, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?)`
	insertInstanceRow = `INSERT INTO instances (id, project_id, domain_id, order_id, name, region_id, availability_zone,
			vpc_id, net_id, security_group_id, eps_id, eps_slot, spec_code, product_id,
			period_type, period_num, is_auto_renew, extension_package, parent_id, create_user,
			created_at, effective_at, expires_at, tags,
			auto_renew_until, grace_ms, retention_ms, unsubscribed_at, gone_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
)

// multiRow is an insert of several rows in one statement. A pipeline
// stores its batch's orders and its instances in chunks of these: a batch
// of 23 purchases is 16 + 4 + 1 + 1 + 1 rows, five statements a table
// instead of 23, which PostgreSQL parses, plans and runs in much less time
// (an HTTP purchase load: 9-27% more purchases a second, docs/performance.md).
// The sizes are few because the driver prepares each statement text once
// per connection. A chunk of 64 binds 64 x 29 parameters, far below
// PostgreSQL's limit of 65,535.
type multiRow map[int]string // rows -> statement

// multiRowSizes are the chunks' sizes, largest first, ending with 1.
var multiRowSizes = []int{64, 16, 4, 1}

// newMultiRow makes the chunks' statements of single, an insert of one row
// that ends with its VALUES tuple.
func newMultiRow(numbered bool, single string) multiRow {
	at := strings.LastIndex(single, "VALUES ") + len("VALUES ")
	head, tuple := single[:at], single[at:]
	m := multiRow{}
	for _, n := range multiRowSizes {
		m[n] = rebind(numbered, head+strings.Repeat(tuple+", ", n-1)+tuple)
	}
	return m
}

// chunk is the size of the next chunk of n rows to insert.
func chunk(n int) int {
	for _, size := range multiRowSizes {
		if n >= size {
			return size
		}
	}
	return 1
}

// queries are the statements of the Store, in the dialect's placeholders.
type queries struct {
	insertOrder, insertInstance, reapSlot, activeMainInstance string
	countInstances, listInstances, findOrder                  string
	unsubscribe                                               string
	document, upsertDocument                                  string
	timings, upsertTimings                                    string
	tokenKey, insertTokenKey                                  string
	expireIdempotencyKey, insertIdempotencyKey                string
	findIdempotencyKey                                        string
	savepoint, rollbackToSavepoint, releaseSavepoint          string
	addInstanceCount                                          string
	newestInstances                                           string
	insertOrders, insertInstances                             multiRow // Dialect.Pipeline's
}

// hotWrites are the statements of a purchase's group commit.
func (q queries) hotWrites() []string {
	return []string{q.savepoint, q.rollbackToSavepoint, q.releaseSavepoint, q.reapSlot, q.activeMainInstance,
		q.insertOrder, q.insertInstance, q.expireIdempotencyKey, q.insertIdempotencyKey, q.findIdempotencyKey, q.addInstanceCount}
}

// hotReads are the statements of the list.
func (q queries) hotReads() []string {
	return []string{q.countInstances, q.listInstances, q.newestInstances}
}

func newQueries(d Dialect) queries {
	r := func(q string) string { return rebind(d.Numbered, q) }
	return queries{
		insertOrder:     r(insertOrderRow),
		insertInstance:  r(insertInstanceRow),
		insertOrders:    newMultiRow(d.Numbered, insertOrderRow),
		insertInstances: newMultiRow(d.Numbered, insertInstanceRow),
		// A gone instance gives its enterprise project back when the next
		// purchase there needs it.
		reapSlot:           r(`UPDATE instances SET eps_slot = NULL WHERE project_id = ? AND eps_slot = ? AND gone_at IS NOT NULL AND gone_at <= ?`),
		activeMainInstance: r(`SELECT COUNT(*) FROM instances WHERE id = ? AND project_id = ? AND parent_id = '' AND unsubscribed_at = 0 AND ` + notGone),
		// The listed instances are those stored less those gone by then:
		// the count rows and the gone ones (in instances_gone), never the
		// project's rows (migration 0020). The same statement, so the same
		// snapshot, reads the project's version (migration 0050) for the
		// list's cache.
		countInstances: r(`SELECT CAST(COALESCE(SUM(n), 0) -
			(SELECT COUNT(*) FROM instances WHERE project_id = ? AND gone_at IS NOT NULL AND -gone_at >= ?) AS BIGINT),
			CAST(COALESCE(SUM(v), 0) AS BIGINT) FROM instance_counts WHERE project_id = ?`),
		// A project's newest instances, gone or not, for the list's cache.
		newestInstances: r(`SELECT ` + instanceColumns + ` FROM instances WHERE project_id = ? ORDER BY seq DESC LIMIT ?`),
		// Adds n instances to the project's count and one to its version;
		// with n 0, a change of its instances.
		addInstanceCount: r(`INSERT INTO instance_counts (project_id, shard, n, v) VALUES (?, ?, ?, 1)
			ON CONFLICT (project_id, shard) DO UPDATE SET n = instance_counts.n + excluded.n, v = instance_counts.v + 1`),
		listInstances: r(`SELECT ` + instanceColumns + ` FROM instances WHERE project_id = ? AND ` + notGone + ` ORDER BY seq DESC LIMIT ? OFFSET ?`),
		findOrder:     r(`SELECT ` + orderColumns + ` FROM orders WHERE id = ? AND domain_id = ?`),
		unsubscribe:   r(`UPDATE instances SET auto_renew_until = ?, unsubscribed_at = ?, gone_at = ? WHERE id = ? AND domain_id = ? AND unsubscribed_at = 0`),
		document:      r(`SELECT doc FROM documents WHERE name = ?`),
		timings:       `SELECT project_id, provisioning_ms, deletion_ms, grace_ms, retention_ms FROM timings`,
		upsertTimings: r(`INSERT INTO timings (project_id, provisioning_ms, deletion_ms, grace_ms, retention_ms) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (project_id) DO UPDATE SET provisioning_ms = excluded.provisioning_ms, deletion_ms = excluded.deletion_ms,
			grace_ms = excluded.grace_ms, retention_ms = excluded.retention_ms`),
		upsertDocument:       r(`INSERT INTO documents (name, doc) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET doc = excluded.doc`),
		expireIdempotencyKey: r(`DELETE FROM idempotency_keys WHERE project_id = ? AND key = ? AND created_at <= ?`),
		insertIdempotencyKey: r(`INSERT INTO idempotency_keys (project_id, key, request_hash, order_id, resource_id, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (project_id, key) DO NOTHING`),
		findIdempotencyKey:   r(`SELECT request_hash, order_id, resource_id FROM idempotency_keys WHERE project_id = ? AND key = ?`),
		savepoint:            `SAVEPOINT purchase`,
		rollbackToSavepoint:  `ROLLBACK TO SAVEPOINT purchase`,
		releaseSavepoint:     `RELEASE SAVEPOINT purchase`,
		tokenKey:             `SELECT key_hex FROM token_key WHERE id = 1`,
		insertTokenKey:       r(`INSERT INTO token_key (id, key_hex) VALUES (1, ?) ON CONFLICT (id) DO NOTHING`),
	}
}
