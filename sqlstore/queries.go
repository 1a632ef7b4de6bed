package sqlstore

// instanceColumns is the column list every instance read scans, in
// scanInstance's order.
const instanceColumns = `id, project_id, domain_id, order_id, name, region_id, availability_zone,
	vpc_id, net_id, security_group_id, eps_id, spec_code, product_id,
	period_type, period_num, is_auto_renew, extension_package, parent_id, create_user,
	created_at, effective_at, expires_at, tags`

// queries are the statements of the Store, in the dialect's placeholders.
type queries struct {
	insertOrder, insertInstance, activeMainInstance string
	countInstances, listInstances, findInstance     string
	world, deleteWorld, insertWorld                 string
	tokenKey, insertTokenKey                        string
}

func newQueries(d Dialect) queries {
	r := func(q string) string { return rebind(d.Numbered, q) }
	return queries{
		insertOrder: r(`INSERT INTO orders (id, domain_id, project_id, resource_id, created_at) VALUES (?, ?, ?, ?, ?)`),
		insertInstance: r(`INSERT INTO instances (id, project_id, domain_id, order_id, name, region_id, availability_zone,
			vpc_id, net_id, security_group_id, eps_id, eps_slot, spec_code, product_id,
			period_type, period_num, is_auto_renew, extension_package, parent_id, create_user,
			created_at, effective_at, expires_at, tags)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		activeMainInstance: r(`SELECT COUNT(*) FROM instances WHERE id = ? AND project_id = ? AND parent_id = ''`),
		countInstances:     r(`SELECT COUNT(*) FROM instances WHERE project_id = ?`),
		listInstances:      r(`SELECT ` + instanceColumns + ` FROM instances WHERE project_id = ? ORDER BY seq DESC LIMIT ? OFFSET ?`),
		findInstance:       r(`SELECT ` + instanceColumns + ` FROM instances WHERE id = ? AND project_id = ?`),
		world:              `SELECT doc FROM world WHERE id = 1`,
		deleteWorld:        `DELETE FROM world`,
		insertWorld:        r(`INSERT INTO world (id, doc) VALUES (1, ?)`),
		tokenKey:           `SELECT key_hex FROM token_key WHERE id = 1`,
		insertTokenKey:     r(`INSERT INTO token_key (id, key_hex) VALUES (1, ?) ON CONFLICT (id) DO NOTHING`),
	}
}
