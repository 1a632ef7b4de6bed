package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dayu-emu/dayu"
)

// purchaseWrite is one purchase waiting for a group commit.
type purchaseWrite struct {
	order    *dayu.Order
	instance *dayu.Instance
	tags     string
	// stored is set once the purchase's instance row is written (not for
	// a replayed idempotency key).
	stored bool
	done   chan error
}

// committer is the group commit: one goroutine takes every purchase that is
// waiting, writes them in one transaction (each inside its own savepoint, so
// that one refused purchase does not undo the others), commits once, and
// only then answers each. A durable commit costs an fsync; sharing it is
// what lets purchases outrun the disk.
type committer struct {
	store *Store
	max   int
	queue chan *purchaseWrite
	quit  chan struct{}
	wg    sync.WaitGroup
	// shard is this store's first instance_counts shard: each writer
	// counts in its own shard from there, so that writers and nodes seldom
	// wait on one count row.
	shard int
}

// countShards is how many instance_counts rows a project's count may be
// spread over.
const countShards = 16

// newCommitter starts writers goroutines that each commit batches of up to
// max purchases from one queue: SQLite has one writer, while PostgreSQL
// overlaps the round trips of several transactions.
func newCommitter(s *Store, batchMax, writers int) *committer {
	c := &committer{store: s, max: batchMax, queue: make(chan *purchaseWrite, 4*batchMax*writers), quit: make(chan struct{}), shard: rand.IntN(countShards)}
	for w := range writers {
		shard := (c.shard + w) % countShards
		c.wg.Go(func() { c.run(shard) })
	}
	return c
}

// submit queues w and waits for its outcome. A caller that gives up still
// leaves its write queued: it may be committed, as with any request whose
// answer was lost.
func (c *committer) submit(ctx context.Context, w *purchaseWrite) error {
	w.done = make(chan error, 1)
	select {
	case c.queue <- w:
	case <-c.quit:
		return dayu.Errorf(dayu.EUNAVAILABLE, "the store is closing")
	case <-ctx.Done():
		return c.store.fail(ctx.Err())
	}
	select {
	case err := <-w.done:
		return err
	case <-ctx.Done():
		return c.store.fail(ctx.Err())
	}
}

func (c *committer) stop() {
	close(c.quit)
	c.wg.Wait()
}

func (c *committer) run(shard int) {
	batch := make([]*purchaseWrite, 0, c.max)
	for {
		select {
		case w := <-c.queue:
			batch = append(batch[:0], w)
		case <-c.quit:
			return
		}
	fill:
		for len(batch) < c.max {
			select {
			case w := <-c.queue:
				batch = append(batch, w)
			default:
				break fill
			}
		}
		c.commit(batch, shard)
	}
}

// commit writes one batch and answers every write in it, adding the
// instances it stores to their projects' counts in shard.
func (c *committer) commit(batch []*purchaseWrite, shard int) {
	ctx := context.Background()
	if d := c.store.opts.CommitTimeout; d > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	// Every node's batches take the enterprise projects in one order, so
	// that two nodes' transactions never wait on each other in a cycle (a
	// deadlock, which PostgreSQL breaks by failing one of them).
	slices.SortStableFunc(batch, func(a, b *purchaseWrite) int {
		return cmp.Or(strings.Compare(a.instance.ProjectID, b.instance.ProjectID), strings.Compare(a.instance.EpsID, b.instance.EpsID))
	})
	start := time.Now()
	if c.store.dialect.Pipeline != nil && pipelined(batch) {
		err := c.pipeline(ctx, batch, shard)
		if !errors.Is(err, ErrPipelineUndone) {
			c.committed(len(batch), start)
			for _, w := range batch {
				w.done <- c.store.fail(err)
			}
			return
		}
		// A purchase was refused and the whole pipeline undone: the
		// savepoints below tell which, and store the others.
	}
	errs := make([]error, len(batch))
	err := c.store.inTx(ctx, func(tx *sql.Tx) error {
		for n, w := range batch {
			var err error
			if errs[n], err = c.one(ctx, tx, w); err != nil {
				return err
			}
		}
		return c.count(ctx, tx, batch, shard)
	})
	c.committed(len(batch), start)
	for n, w := range batch {
		if err != nil {
			w.done <- c.store.fail(err)
			continue
		}
		w.done <- errs[n]
	}
}

// committed tells the store's observer about a batch's commit.
func (c *committer) committed(n int, start time.Time) {
	if o := c.store.observed(); o != nil {
		o.Committed(n, time.Since(start))
	}
}

// one writes a purchase inside its own savepoint. A refused purchase is
// undone alone and its error returned as refused; txErr means the
// transaction itself failed and the whole batch with it.
func (c *committer) one(ctx context.Context, tx *sql.Tx, w *purchaseWrite) (refused, txErr error) {
	if _, err := c.store.execTx(ctx, tx, c.store.q.savepoint); err != nil {
		return nil, err
	}
	if err := c.store.insertPurchase(ctx, tx, w); err != nil {
		if _, rerr := c.store.execTx(ctx, tx, c.store.q.rollbackToSavepoint); rerr != nil {
			// The batch fails, not for this purchase's reason: keep that
			// reason out of the chain its batch mates will be answered with.
			return nil, fmt.Errorf("rollback to savepoint: %w (after: %v)", rerr, err)
		}
		return c.store.refused(c.store.fail(err)), nil
	}
	if c.store.dialect.KeepSavepoints {
		return nil, nil
	}
	_, err := c.store.execTx(ctx, tx, c.store.q.releaseSavepoint)
	return nil, err
}

// count adds the batch's stored instances to their projects' counts.
func (c *committer) count(ctx context.Context, tx *sql.Tx, batch []*purchaseWrite, shard int) error {
	for _, args := range countArgs(batch, shard) {
		if _, err := c.store.execTx(ctx, tx, c.store.q.addInstanceCount, args...); err != nil {
			return err
		}
	}
	return nil
}

// countArgs are the arguments of addInstanceCount for the batch's stored
// instances, one statement per project (the batch is in project order, as
// every node's, so the count rows are locked in one order too).
func countArgs(batch []*purchaseWrite, shard int) [][]any {
	var out [][]any
	for n := 0; n < len(batch); {
		project, stored := batch[n].instance.ProjectID, 0
		for ; n < len(batch) && batch[n].instance.ProjectID == project; n++ {
			if batch[n].stored {
				stored++
			}
		}
		if stored > 0 {
			out = append(out, []any{project, shard, stored})
		}
	}
	return out
}

// pipelined reports whether the batch can go in one pipeline: a purchase
// with an idempotency key or a package's reads one row before it writes,
// so a batch with one takes the savepoints' path.
func pipelined(batch []*purchaseWrite) bool {
	for _, w := range batch {
		if w.order.IdempotencyKey != "" || w.instance.IsPackage() {
			return false
		}
	}
	return true
}

// pipeline writes the batch's purchases and their counts in one round trip
// and one transaction (Dialect.Pipeline). An enterprise project that a gone
// instance still holds, or that another purchase has, makes the database
// refuse the pipeline: the savepoints' path then reaps or refuses.
func (c *committer) pipeline(ctx context.Context, batch []*purchaseWrite, shard int) error {
	q := c.store.q
	var stmts []Statement
	for rest := batch; len(rest) > 0; {
		n := chunk(len(rest))
		var orders, instances []any
		for _, w := range rest[:n] {
			w.stored = true
			orders = append(orders, orderArgs(w.order)...)
			instances = append(instances, instanceArgs(w, w.instance.EpsID)...)
		}
		stmts = append(stmts, Statement{q.insertOrders[n], orders}, Statement{q.insertInstances[n], instances})
		rest = rest[n:]
	}
	for _, args := range countArgs(batch, shard) {
		stmts = append(stmts, Statement{q.addInstanceCount, args})
	}
	conn, err := c.store.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	err = conn.Raw(func(driverConn any) error { return c.store.dialect.Pipeline(ctx, driverConn, stmts) })
	if err != nil {
		for _, w := range batch {
			w.stored = false
		}
	}
	return err
}
