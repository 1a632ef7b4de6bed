// Package sqlstore implements dayu.Store on database/sql. The SQL is kept
// within what SQLite and PostgreSQL both accept; what differs between them
// (placeholders, how a constraint violation looks, migrations) comes from a
// Dialect that the sqlite and postgres packages provide.
package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dayu-emu/dayu"
)

// Dialect is what a database engine brings to the Store.
type Dialect struct {
	// Name is the engine's name, for messages.
	Name string
	// Numbered placeholders ($1, $2) instead of "?".
	Numbered bool
	// IsUniqueViolation reports whether err is a violation of the unique
	// index (or primary key) named index, as the migrations name them.
	IsUniqueViolation func(err error, index string) bool
	// KeepSavepoints leaves each purchase's savepoint open rather than
	// releasing it: on PostgreSQL a round trip saved per purchase (a fifth
	// of its time; the batch stays under 64 nested savepoints), while
	// SQLite is slower with them nested.
	KeepSavepoints bool
	// Classify tells the engine's own failures apart: dayu.ETIMEOUT,
	// EUNAVAILABLE or EINTERNAL, or "" when err is none it knows.
	Classify func(err error) dayu.ErrorCode
	// Serial is the engine's column type of an auto-numbered primary key,
	// put for {{serial}} in the migrations.
	Serial string
	// MigrationLock, run first in the migration transaction, keeps nodes
	// that start together from migrating at once; empty when the engine
	// serialises writers anyway.
	MigrationLock string
	// Pipeline, when set, runs statements on driverConn (the driver's
	// connection, from sql.Conn.Raw) in one round trip, as one transaction
	// committed durably at its end. When the database refuses one of them,
	// nothing is stored and the error wraps ErrPipelineUndone; any other
	// error leaves the outcome unknown.
	Pipeline func(ctx context.Context, driverConn any, stmts []Statement) error
}

// Statement is one statement of a Pipeline, in the dialect's placeholders.
type Statement struct {
	Query string
	Args  []any
}

// ErrPipelineUndone is wrapped by a Pipeline's error when the database
// refused a statement and stored none of them.
var ErrPipelineUndone = errors.New("the pipeline was refused and undone")

// Store is a dayu.Store on one database. Purchases go through a group
// committer: concurrent purchases share one transaction and one fsync.
type Store struct {
	write   *sql.DB // the connections that write
	read    *sql.DB // the connections that read; may be the same as write
	dialect Dialect
	opts    Options
	q       queries
	batch   *committer
	writes  statements // prepared on write
	reads   statements // prepared on read
	lists   *listCache
	closed  sync.Once
	// observer is told of the commits and failures, for the metrics; it
	// is set while the committer runs, hence atomic.
	observer atomic.Pointer[dayu.StoreObserver]
}

// Open migrates the database and returns a Store on it, tuned by o (which
// the engine's package has checked). read may equal write.
func Open(ctx context.Context, write, read *sql.DB, d Dialect, o Options) (*Store, error) {
	if err := migrate(ctx, write, d); err != nil {
		return nil, fmt.Errorf("%s: migrate: %w", d.Name, err)
	}
	s := &Store{write: write, read: read, dialect: d, opts: o, q: newQueries(d)}
	var err error
	if s.writes, err = prepare(ctx, write, s.q.hotWrites()...); err != nil {
		return nil, fmt.Errorf("%s: prepare: %w", d.Name, err)
	}
	if s.reads, err = prepare(ctx, read, s.q.hotReads()...); err != nil {
		s.writes.close()
		return nil, fmt.Errorf("%s: prepare: %w", d.Name, err)
	}
	s.lists = newListCache()
	s.batch = newCommitter(s, o.BatchMax, o.Writers)
	return s, nil
}

// Options returns the settings the store runs with.
func (s *Store) Options() Options { return s.opts }

// Close stops the committer and closes the databases; closing twice is
// harmless.
func (s *Store) Close() error {
	var err error
	s.closed.Do(func() {
		s.batch.stop()
		s.writes.close()
		s.reads.close()
		err = s.write.Close()
		if s.read != s.write {
			err = errors.Join(err, s.read.Close())
		}
	})
	return err
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.read.PingContext(ctx); err != nil {
		return s.fail(err)
	}
	return nil
}

// CreatePurchase queues the purchase for the next group commit and waits
// until that commit is durable.
func (s *Store) CreatePurchase(ctx context.Context, o *dayu.Order, i *dayu.Instance) error {
	tags, err := json.Marshal(i.Tags)
	if err != nil {
		return err
	}
	return s.batch.submit(ctx, &purchaseWrite{order: o, instance: i, tags: string(tags)})
}

// insertPurchase writes one purchase inside tx, in the savepoint its
// committer opened. The enterprise project held by a gone instance is
// given back only when an insert runs into it: the common purchase then
// costs no extra statement (a round trip on PostgreSQL).
func (s *Store) insertPurchase(ctx context.Context, tx *sql.Tx, w *purchaseWrite) error {
	i := w.instance
	if i.IsPackage() {
		var n int
		row, err := s.queryRowTx(ctx, tx, s.q.activeMainInstance, i.ParentID, i.ProjectID, ms(i.CreatedAt))
		if err != nil {
			return err
		}
		if err := row.Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return dayu.ErrNoBindingInstance
		}
		return s.insertRows(ctx, tx, w, nil)
	}
	err := s.insertRows(ctx, tx, w, i.EpsID)
	if err == nil || !s.dialect.IsUniqueViolation(err, "instances_one_per_eps") {
		return err
	}
	// PostgreSQL needs the failed statement undone before the next one.
	if _, err := s.execTx(ctx, tx, s.q.rollbackToSavepoint); err != nil {
		return err
	}
	res, err := s.execTx(ctx, tx, s.q.reapSlot, i.ProjectID, i.EpsID, ms(i.CreatedAt))
	if err != nil {
		return err
	}
	reaped, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if reaped == 0 {
		return dayu.ErrEnterpriseProjectTaken
	}
	return s.insertRows(ctx, tx, w, i.EpsID)
}

// insertRows writes the purchase's rows: its idempotency key, its order and
// its instance, holding epsSlot (nil for a package, which holds none).
func (s *Store) insertRows(ctx context.Context, tx *sql.Tx, w *purchaseWrite, epsSlot any) error {
	o := w.order
	if o.IdempotencyKey != "" {
		replayed, err := s.claimIdempotencyKey(ctx, tx, o)
		if err != nil || replayed {
			return err
		}
	}
	if err := s.insertOrder(ctx, tx, o); err != nil {
		return err
	}
	_, err := s.execTx(ctx, tx, s.q.insertInstance, instanceArgs(w, epsSlot)...)
	w.stored = err == nil
	return err
}

// instanceArgs are the arguments of insertInstance for w's instance.
func instanceArgs(w *purchaseWrite, epsSlot any) []any {
	i := w.instance
	return []any{i.ID, i.ProjectID, i.DomainID, i.OrderID, i.Name, i.RegionID, i.AvailabilityZone,
		i.VpcID, i.NetID, i.SecurityGroupID, i.EpsID, epsSlot, i.SpecCode, i.ProductID,
		int(i.PeriodType), i.PeriodNum, i.IsAutoRenew, i.ExtensionPackage, i.ParentID, i.CreateUser,
		ms(i.CreatedAt), ms(i.EffectiveAt), ms(i.ExpiresAt), w.tags,
		ms(i.AutoRenewUntil), i.Grace.Milliseconds(), i.Retention.Milliseconds(), ms(i.UnsubscribedAt), nullMS(i.GoneAt)}
}

// orderArgs are the arguments of insertOrder for o.
func orderArgs(o *dayu.Order) []any {
	return []any{o.ID, int(o.Type), o.DomainID, o.ProjectID, o.ResourceID, ms(o.CreatedAt), ms(o.CompletedAt)}
}

// claimIdempotencyKey records the purchase's idempotency key in tx. When
// the key is already held by a purchase of the last IdempotencyTTL, it
// turns o into that purchase's order (replayed) so that nothing new is
// stored, or fails if that purchase's request was a different one. On
// PostgreSQL, ON CONFLICT waits for a racing holder of the key on another
// node to commit, and the read after it then finds that holder.
func (s *Store) claimIdempotencyKey(ctx context.Context, tx *sql.Tx, o *dayu.Order) (replayed bool, err error) {
	expired := ms(o.CreatedAt.Add(-dayu.IdempotencyTTL))
	if _, err := s.execTx(ctx, tx, s.q.expireIdempotencyKey, o.ProjectID, o.IdempotencyKey, expired); err != nil {
		return false, err
	}
	res, err := s.execTx(ctx, tx, s.q.insertIdempotencyKey, o.ProjectID, o.IdempotencyKey, o.RequestHash, o.ID, o.ResourceID, ms(o.CreatedAt))
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return false, err
	}
	var hash, orderID, resourceID string
	row, err := s.queryRowTx(ctx, tx, s.q.findIdempotencyKey, o.ProjectID, o.IdempotencyKey)
	if err != nil {
		return false, err
	}
	if err := row.Scan(&hash, &orderID, &resourceID); err != nil {
		return false, err
	}
	if hash != o.RequestHash {
		return false, dayu.ErrIdempotencyKeyReused
	}
	o.ID, o.ResourceID = orderID, resourceID
	return true, nil
}

func (s *Store) insertOrder(ctx context.Context, tx *sql.Tx, o *dayu.Order) error {
	_, err := s.execTx(ctx, tx, s.q.insertOrder, orderArgs(o)...)
	return err
}

// ListInstances returns a page of the project's instances, newest first.
// The count query also reads the project's version: a page of the newest
// listCacheSize instances comes from the list's cache when its entry is of
// that version, so a page costs one round trip (listcache.go).
func (s *Store) ListInstances(ctx context.Context, projectID string, p dayu.Page, now time.Time) ([]*dayu.Instance, int, error) {
	var total int
	var version int64
	row, err := s.queryRowRead(ctx, s.q.countInstances, projectID, -ms(now), projectID)
	if err != nil {
		return nil, 0, s.fail(err)
	}
	if err := row.Scan(&total, &version); err != nil {
		return nil, 0, s.fail(err)
	}
	if p.Offset >= total {
		return nil, total, nil
	}
	if p.Offset < listCacheSize {
		list, ok, err := s.cachedPage(ctx, projectID, version, p, ms(now))
		if err != nil || ok {
			return list, total, err
		}
	}
	list, err := s.scanInstances(s.queryRead(ctx, s.q.listInstances, projectID, ms(now), p.Limit, p.Offset))
	return list, total, err
}

// cachedPage is the page from the project's listCache entry of version,
// read from the database first if the cache says so; ok is false when
// there is no entry or it does not hold the page.
func (s *Store) cachedPage(ctx context.Context, projectID string, version int64, p dayu.Page, now int64) (list []*dayu.Instance, ok bool, err error) {
	e, load := s.lists.get(projectID, version)
	if load {
		newest, err := s.scanInstances(s.queryRead(ctx, s.q.newestInstances, projectID, listCacheSize+1))
		if err != nil {
			s.lists.put(projectID, nil)
			return nil, false, err
		}
		e = &listEntry{version: version, loaded: true, newest: newest[:min(len(newest), listCacheSize)], complete: len(newest) <= listCacheSize}
		s.lists.put(projectID, e)
	}
	if e == nil {
		return nil, false, nil
	}
	list, ok = e.page(p, now)
	return list, ok, nil
}

// Resources returns the domain's instances that match f, oldest first.
func (s *Store) Resources(ctx context.Context, domainID string, f dayu.ResourceFilter) ([]*dayu.Instance, error) {
	where, args := resourceWhere(domainID, f)
	// Not prepared: the text varies with the number of ids.
	return s.scanInstances(s.read.QueryContext(ctx, s.rebind(`SELECT `+instanceColumns+` FROM instances WHERE `+where+` ORDER BY seq`), args...))
}

// QueryResources returns a page of the domain's instances that q selects,
// oldest first, and their total. The filter and whether a resource is
// provisioned at q.At are SQL; the filters that follow from the lifecycle
// (statuses, the term's expiry) are not, so with them the rows the SQL
// selects are streamed through q.Shows, and only the page is kept.
func (s *Store) QueryResources(ctx context.Context, domainID string, q dayu.ResourceQuery) ([]*dayu.Instance, int, error) {
	where, args := resourceWhere(domainID, q.ResourceFilter)
	where += ` AND ` + provisioned
	at := ms(q.At)
	args = append(args, at, at)
	if !q.ByTime() {
		var total int
		if err := s.read.QueryRowContext(ctx, s.rebind(`SELECT COUNT(*) FROM instances WHERE `+where), args...).Scan(&total); err != nil {
			return nil, 0, s.fail(err)
		}
		if q.Page.Offset >= total {
			return nil, total, nil
		}
		page := s.rebind(`SELECT ` + instanceColumns + ` FROM instances WHERE ` + where + ` ORDER BY seq LIMIT ? OFFSET ?`)
		list, err := s.scanInstances(s.read.QueryContext(ctx, page, append(args, q.Page.Limit, q.Page.Offset)...))
		return list, total, err
	}
	rows, err := s.read.QueryContext(ctx, s.rebind(`SELECT `+instanceColumns+` FROM instances WHERE `+where+` ORDER BY seq`), args...)
	if err != nil {
		return nil, 0, s.fail(err)
	}
	defer rows.Close()
	var list []*dayu.Instance
	total := 0
	for rows.Next() {
		i, err := scanInstance(rows)
		if err != nil {
			return nil, 0, err
		}
		if !q.Shows(i) {
			continue
		}
		if total >= q.Page.Offset && len(list) < q.Page.Limit {
			list = append(list, i)
		}
		total++
	}
	return list, total, s.fail(rows.Err())
}

// resourceWhere is the SQL condition of f on the domain's instances, and
// its arguments. The same kind of filter always makes the same text.
func resourceWhere(domainID string, f dayu.ResourceFilter) (string, []any) {
	where := []string{"domain_id = ?"}
	args := []any{domainID}
	if f.OrderID != "" {
		where = append(where, "order_id = ?")
		args = append(args, f.OrderID)
	}
	switch {
	case len(f.ResourceIDs) > 0:
		in := "(?" + strings.Repeat(", ?", len(f.ResourceIDs)-1) + ")"
		cond := "id IN " + in
		cols := 1
		if !f.OnlyMain {
			cond, cols = "(id IN "+in+" OR parent_id IN "+in+")", 2
		}
		where = append(where, cond)
		for range cols {
			for _, id := range f.ResourceIDs {
				args = append(args, id)
			}
		}
	case f.OnlyMain:
		where = append(where, "parent_id = ''")
	}
	return strings.Join(where, " AND "), args
}

// scanInstances reads the rows of a query of instanceColumns.
func (s *Store) scanInstances(rows *sql.Rows, err error) ([]*dayu.Instance, error) {
	return scanAll(s, rows, err, scanInstance)
}

// scanAll reads every row of a query with scan.
func scanAll[T any](s *Store, rows *sql.Rows, err error, scan func(row interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	var list []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, v)
	}
	return list, s.fail(rows.Err())
}

func scanInstance(row interface{ Scan(...any) error }) (*dayu.Instance, error) {
	var i dayu.Instance
	var pt int
	var created, effective, expires, renewUntil, grace, retention, unsubscribed, settled, nextSpecAt int64
	var gone sql.NullInt64
	var tags string
	err := row.Scan(&i.ID, &i.ProjectID, &i.DomainID, &i.OrderID, &i.Name, &i.RegionID, &i.AvailabilityZone,
		&i.VpcID, &i.NetID, &i.SecurityGroupID, &i.EpsID, &i.SpecCode, &i.ProductID,
		&pt, &i.PeriodNum, &i.IsAutoRenew, &i.ExtensionPackage, &i.ParentID, &i.CreateUser,
		&created, &effective, &expires, &tags,
		&renewUntil, &grace, &retention, &unsubscribed, &gone,
		&i.RenewedMonths, &i.AutoRenewals, &settled, &i.NextSpecCode, &i.NextProductID, &nextSpecAt, &i.Rev)
	if err != nil {
		return nil, err
	}
	i.PeriodType = dayu.PeriodType(pt)
	i.CreatedAt, i.EffectiveAt, i.ExpiresAt = fromMS(created), fromMS(effective), fromMS(expires)
	i.AutoRenewUntil, i.UnsubscribedAt = fromMS(renewUntil), fromMS(unsubscribed)
	i.SettledAt, i.NextSpecAt = fromMS(settled), fromMS(nextSpecAt)
	i.Grace, i.Retention = msDuration(grace), msDuration(retention)
	if gone.Valid {
		i.GoneAt = fromMS(gone.Int64)
	}
	if err := json.Unmarshal([]byte(tags), &i.Tags); err != nil {
		return nil, fmt.Errorf("instance %s: tags: %w", i.ID, err)
	}
	return &i, nil
}

// FindOrder returns one order of the domain.
func (s *Store) FindOrder(ctx context.Context, domainID, id string) (*dayu.Order, error) {
	o, err := scanOrder(s.read.QueryRowContext(ctx, s.q.findOrder, id, domainID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, dayu.ErrOrderNotFound
	}
	if err != nil {
		return nil, s.fail(err)
	}
	return o, nil
}

// SaveUnsubscriptions stores the unsubscriptions in one transaction; the
// instances another request unsubscribed first are lost to it. The update
// changes only a row not yet unsubscribed: on PostgreSQL it waits for a
// racing transaction that holds the row and then finds it changed.
func (s *Store) SaveUnsubscriptions(ctx context.Context, changed []*dayu.Instance, orders []*dayu.Order) (lost []string, err error) {
	// Rows are locked in id order, so two unsubscriptions that overlap
	// cannot deadlock.
	changed = slices.SortedFunc(slices.Values(changed), func(a, b *dayu.Instance) int { return strings.Compare(a.ID, b.ID) })
	projects := make([]string, len(changed))
	for n, i := range changed {
		projects[n] = i.ProjectID
	}
	err = s.changeInstances(ctx, projects, func(tx *sql.Tx) error {
		lost = lost[:0]
		for _, i := range changed {
			res, err := tx.ExecContext(ctx, s.q.unsubscribe, ms(i.AutoRenewUntil), ms(i.UnsubscribedAt), nullMS(i.GoneAt), i.ID, i.DomainID)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			if n != 1 {
				lost = append(lost, i.ID)
			}
		}
		for _, o := range orders {
			if slices.Contains(lost, o.ResourceID) {
				continue
			}
			if err := s.insertOrder(ctx, tx, o); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return lost, nil
}

// Reset deletes every order, instance, workspace and network resource, and
// stores keep.
func (s *Store) Reset(ctx context.Context, keep []*dayu.NetworkResource) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		// In an order that references allow: instances before their orders.
		for _, table := range []string{"idempotency_keys", "workspaces", "network_resources", "instances", "fault_rules", "test_clocks", "orders"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+table); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, zeroInstanceCounts); err != nil {
			return err
		}
		return s.seedNetwork(ctx, tx, keep)
	})
}

// zeroInstanceCounts empties every project's count and changes its
// version. Count rows are never deleted, so that a version never comes
// back to a value a list cache may hold (migration 0050).
const zeroInstanceCounts = `UPDATE instance_counts SET n = 0, v = v + 1`

// changeInstances runs fn, which changes instances of the projects, in one
// transaction that adds one to each project's version, so that no node's
// list cache serves a project as it was before (listcache.go). Every write
// of instances goes through here but three: the purchases' group commit,
// which adds to the version with the count, and Reset and ReplaceState,
// which change every project's (zeroInstanceCounts). storetest's
// ListFollowsEveryWrite checks each of them.
func (s *Store) changeInstances(ctx context.Context, projects []string, fn func(*sql.Tx) error) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		// In project order, as the group commit's count rows, and in any
		// shard: a version is their sum.
		shard := rand.IntN(countShards)
		for _, project := range slices.Compact(slices.Sorted(slices.Values(projects))) {
			if _, err := s.execTx(ctx, tx, s.q.addInstanceCount, project, shard, 0); err != nil {
				return err
			}
		}
		return nil
	})
}

// Timings returns every stored project's timings.
func (s *Store) Timings(ctx context.Context) (map[string]dayu.Timings, error) {
	rows, err := s.read.QueryContext(ctx, s.q.timings)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	out := map[string]dayu.Timings{}
	for rows.Next() {
		var project string
		var p, d, g, r int64
		if err := rows.Scan(&project, &p, &d, &g, &r); err != nil {
			return nil, s.fail(err)
		}
		out[project] = dayu.Timings{Provisioning: msDuration(p), Deletion: msDuration(d), Grace: msDuration(g), Retention: msDuration(r)}
	}
	return out, s.fail(rows.Err())
}

// SaveTimings stores one project's timings, replacing only its row.
func (s *Store) SaveTimings(ctx context.Context, projectID string, t dayu.Timings) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q.upsertTimings, projectID,
			t.Provisioning.Milliseconds(), t.Deletion.Milliseconds(), t.Grace.Milliseconds(), t.Retention.Milliseconds())
		return err
	})
}

// Document returns a stored document, nil when there is none.
func (s *Store) Document(ctx context.Context, name string) ([]byte, error) {
	var doc string
	err := s.read.QueryRowContext(ctx, s.q.document, name).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return []byte(doc), s.fail(err)
}

// EnsureDocument stores doc unless name is taken, then reads what is
// stored, in one transaction.
func (s *Store) EnsureDocument(ctx context.Context, name string, doc []byte) ([]byte, error) {
	var stored string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO documents (name, doc) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`), name, string(doc)); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, s.q.document, name).Scan(&stored)
	})
	return []byte(stored), err
}

// SaveDocument stores or replaces a document.
func (s *Store) SaveDocument(ctx context.Context, name string, doc []byte) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q.upsertDocument, name, string(doc))
		return err
	})
}

// TokenKey returns the stored token key, storing fresh first if there is
// none. Insert-if-absent and then read makes racing nodes agree on one key.
func (s *Store) TokenKey(ctx context.Context, fresh []byte) ([]byte, error) {
	var key string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.insertTokenKey, fmt.Sprintf("%x", fresh)); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, s.q.tokenKey).Scan(&key)
	})
	if err != nil {
		return nil, err
	}
	var b []byte
	_, err = fmt.Sscanf(key, "%x", &b)
	return b, err
}

// inTx runs fn in one transaction: committed if fn returns nil, rolled back
// otherwise.
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return s.fail(err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return s.fail(err)
	}
	return s.fail(tx.Commit())
}

// ms is a time as stored: Unix milliseconds, 0 for the zero time.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// nullMS stores the zero time as NULL, for columns where NULL means never.
func nullMS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// msDuration is a duration as stored, in milliseconds.
func msDuration(v int64) time.Duration { return time.Duration(v) * time.Millisecond }

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// rebind puts the dialect's placeholders in a query made at run time.
func (s *Store) rebind(q string) string { return rebind(s.dialect.Numbered, q) }

// rebind turns "?" placeholders into "$1", "$2", ... for engines that want them.
func rebind(numbered bool, q string) string {
	if !numbered {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
