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
	"io/fs"
	"strings"
	"sync"
	"time"

	"github.com/dayu-emu/dayu"
)

// Dialect is what a database engine brings to the Store.
type Dialect struct {
	// Name is the engine's name, for messages.
	Name string
	// Numbered placeholders ($1, $2) instead of "?".
	Numbered bool
	// IsOnePerEnterpriseProject reports whether err is a violation of the
	// unique index instances_one_per_eps.
	IsOnePerEnterpriseProject func(err error) bool
	// Migrations holds the engine's numbered *.sql files.
	Migrations fs.FS
	// MigrationLock, run first in the migration transaction, keeps nodes
	// that start together from migrating at once; empty when the engine
	// serialises writers anyway.
	MigrationLock string
	// CommitTimeout bounds one group commit, which runs on no caller's
	// context: a database that stops answering then fails the batch
	// (EUNAVAILABLE) instead of holding up every purchase behind it. Zero
	// means no bound.
	CommitTimeout time.Duration
}

// Store is a dayu.Store on one database. Purchases go through a group
// committer: concurrent purchases share one transaction and one fsync.
type Store struct {
	write   *sql.DB // the connections that write
	read    *sql.DB // the connections that read; may be the same as write
	dialect Dialect
	q       queries
	batch   *committer
	closed  sync.Once
}

// Open migrates the database and returns a Store on it. read may equal
// write. batchMax bounds how many purchases share one transaction.
func Open(ctx context.Context, write, read *sql.DB, d Dialect, batchMax int) (*Store, error) {
	if err := migrate(ctx, write, d); err != nil {
		return nil, fmt.Errorf("%s: migrate: %w", d.Name, err)
	}
	s := &Store{write: write, read: read, dialect: d, q: newQueries(d)}
	s.batch = newCommitter(s, batchMax)
	return s, nil
}

// Close stops the committer and closes the databases; closing twice is
// harmless.
func (s *Store) Close() error {
	var err error
	s.closed.Do(func() {
		s.batch.stop()
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
		return unavailable(err)
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

// insertPurchase writes one purchase inside tx.
func (s *Store) insertPurchase(ctx context.Context, tx *sql.Tx, w *purchaseWrite) error {
	o, i := w.order, w.instance
	var epsSlot any // the instance holds its enterprise project; a package holds none
	if i.IsPackage() {
		var n int
		if err := tx.QueryRowContext(ctx, s.q.activeMainInstance, i.ParentID, i.ProjectID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return dayu.Errorf(dayu.EINVALID, "binding_instance_id: %q is not an active instance of project %s", i.ParentID, i.ProjectID)
		}
	} else {
		epsSlot = i.EpsID
	}
	if _, err := tx.ExecContext(ctx, s.q.insertOrder, o.ID, o.DomainID, o.ProjectID, o.ResourceID, ms(o.CreatedAt)); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, s.q.insertInstance,
		i.ID, i.ProjectID, i.DomainID, i.OrderID, i.Name, i.RegionID, i.AvailabilityZone,
		i.VpcID, i.NetID, i.SecurityGroupID, i.EpsID, epsSlot, i.SpecCode, i.ProductID,
		int(i.PeriodType), i.PeriodNum, i.IsAutoRenew, i.ExtensionPackage, i.ParentID, i.CreateUser,
		ms(i.CreatedAt), ms(i.EffectiveAt), ms(i.ExpiresAt), w.tags)
	if err != nil && s.dialect.IsOnePerEnterpriseProject(err) {
		return dayu.Errorf(dayu.ECONFLICT, "eps_id: project %s already has a DataArts Studio instance in enterprise project %q; only one instance per enterprise project is allowed", i.ProjectID, i.EpsID)
	}
	return err
}

// ListInstances returns a page of the project's instances, newest first.
func (s *Store) ListInstances(ctx context.Context, projectID string, p dayu.Page) ([]*dayu.Instance, int, error) {
	var total int
	if err := s.read.QueryRowContext(ctx, s.q.countInstances, projectID).Scan(&total); err != nil {
		return nil, 0, unavailable(err)
	}
	if p.Offset >= total {
		return nil, total, nil
	}
	rows, err := s.read.QueryContext(ctx, s.q.listInstances, projectID, p.Limit, p.Offset)
	if err != nil {
		return nil, 0, unavailable(err)
	}
	defer rows.Close()
	var list []*dayu.Instance
	for rows.Next() {
		i, err := scanInstance(rows)
		if err != nil {
			return nil, 0, err
		}
		list = append(list, i)
	}
	return list, total, unavailable(rows.Err())
}

// FindInstance returns one instance of the project.
func (s *Store) FindInstance(ctx context.Context, projectID, id string) (*dayu.Instance, error) {
	i, err := scanInstance(s.read.QueryRowContext(ctx, s.q.findInstance, id, projectID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, dayu.Errorf(dayu.ENOTFOUND, "instance %q does not exist in project %s", id, projectID)
	}
	return i, err
}

func scanInstance(row interface{ Scan(...any) error }) (*dayu.Instance, error) {
	var i dayu.Instance
	var pt int
	var created, effective, expires int64
	var tags string
	err := row.Scan(&i.ID, &i.ProjectID, &i.DomainID, &i.OrderID, &i.Name, &i.RegionID, &i.AvailabilityZone,
		&i.VpcID, &i.NetID, &i.SecurityGroupID, &i.EpsID, &i.SpecCode, &i.ProductID,
		&pt, &i.PeriodNum, &i.IsAutoRenew, &i.ExtensionPackage, &i.ParentID, &i.CreateUser,
		&created, &effective, &expires, &tags)
	if err != nil {
		return nil, err
	}
	i.PeriodType = dayu.PeriodType(pt)
	i.CreatedAt, i.EffectiveAt, i.ExpiresAt = fromMS(created), fromMS(effective), fromMS(expires)
	if err := json.Unmarshal([]byte(tags), &i.Tags); err != nil {
		return nil, fmt.Errorf("instance %s: tags: %w", i.ID, err)
	}
	return &i, nil
}

// World returns the stored world document, nil when there is none.
func (s *Store) World(ctx context.Context) ([]byte, error) {
	var doc string
	err := s.read.QueryRowContext(ctx, s.q.world).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return []byte(doc), unavailable(err)
}

// SaveWorld replaces the stored world document.
func (s *Store) SaveWorld(ctx context.Context, doc []byte) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.deleteWorld); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q.insertWorld, string(doc))
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
// otherwise. Every write but the purchases' group commit goes through here.
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return unavailable(err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return unavailable(tx.Commit())
}

// unavailable turns a database failure into an error the caller can show.
func unavailable(err error) error {
	if err == nil || errors.Is(err, sql.ErrNoRows) {
		return err
	}
	var e *dayu.Error
	if errors.As(err, &e) {
		return err
	}
	return fmt.Errorf("%w: %w", dayu.Errorf(dayu.EUNAVAILABLE, "the store is unavailable"), err)
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

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
