package sqlstore

import (
	"context"
	"errors"
	"time"

	"github.com/dayu-emu/dayu"
)

// Observe makes the store report its group commits and failures to o.
func (s *Store) Observe(o dayu.StoreObserver) { s.observer.Store(&o) }

// observed returns the observer, nil when there is none.
func (s *Store) observed() dayu.StoreObserver {
	if o := s.observer.Load(); o != nil {
		return *o
	}
	return nil
}

// countFailure tells the observer of a database failure of class code. A
// caller that went away is no failure of the store's.
func (s *Store) countFailure(code dayu.ErrorCode, cause error) {
	if o := s.observed(); o != nil && !errors.Is(cause, context.Canceled) {
		o.Failed(code)
	}
}

// refused passes err on, telling the observer when it is a conflict (a
// write a business rule refused, such as a taken enterprise project).
func (s *Store) refused(err error) error {
	if o := s.observed(); o != nil && err != nil && dayu.ErrorCodeOf(err) == dayu.ECONFLICT {
		o.Failed(dayu.ECONFLICT)
	}
	return err
}

// CommitQueueLength is how many purchases wait for a group commit.
func (s *Store) CommitQueueLength() int { return len(s.batch.queue) }

// The statuses in SQL, as Instance.Status and Order.Status derive them from
// the stored times (Unix milliseconds, every ? is now). An instance that
// stops renewing has gone_at stored as its last expiry plus the grace and
// the retention periods (Instance.goneAt), which gives its last expiry
// without the calendar arithmetic of Instance.Term.
const (
	instanceStatusSQL = `CASE
	WHEN gone_at IS NOT NULL AND gone_at <= ? THEN 3
	WHEN unsubscribed_at <> 0 THEN 6
	WHEN ? < effective_at THEN 1
	WHEN auto_renew_until <> 0 AND gone_at IS NOT NULL THEN
		CASE WHEN ? < gone_at - retention_ms - grace_ms THEN 2 WHEN ? < gone_at - retention_ms THEN 5 ELSE 4 END
	WHEN period_num >= 1 THEN 2
	WHEN ? < expires_at THEN 2
	WHEN ? < expires_at + grace_ms THEN 5
	ELSE 4 END`
	instanceStatusArgs = 6
	orderStatusSQL     = `CASE WHEN ? >= completed_at THEN 5 WHEN 2 * CAST(? AS BIGINT) < created_at + completed_at THEN 6 ELSE 3 END`
	orderStatusArgs    = 2
)

// Census counts the instances (gone ones too) and the stored orders by
// their status at now, by the server's clock: one aggregate query per
// table, a scan that reads no row into Go.
func (s *Store) Census(ctx context.Context, now time.Time) (dayu.Census, error) {
	c := dayu.Census{Instances: map[dayu.InstanceStatus]int{}, Orders: map[dayu.OrderStatus]int{}}
	err := s.countByStatus(ctx, instanceStatusSQL, instanceStatusArgs, "instances", now, func(st, n int) { c.Instances[dayu.InstanceStatus(st)] = n })
	if err == nil {
		err = s.countByStatus(ctx, orderStatusSQL, orderStatusArgs, "orders", now, func(st, n int) { c.Orders[dayu.OrderStatus(st)] = n })
	}
	return c, err
}

func (s *Store) countByStatus(ctx context.Context, status string, nargs int, table string, now time.Time, add func(status, n int)) error {
	args := make([]any, nargs)
	for k := range args {
		args[k] = now.UnixMilli()
	}
	rows, err := s.read.QueryContext(ctx, s.rebind(`SELECT st, COUNT(*) FROM (SELECT `+status+` AS st FROM `+table+`) AS t GROUP BY st`), args...)
	if err != nil {
		return s.fail(err)
	}
	defer rows.Close()
	for rows.Next() {
		var st, n int
		if err := rows.Scan(&st, &n); err != nil {
			return s.fail(err)
		}
		add(st, n)
	}
	return s.fail(rows.Err())
}

var _ dayu.ObservableStore = (*Store)(nil)
