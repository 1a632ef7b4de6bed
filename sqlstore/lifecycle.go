package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/dayu-emu/dayu"
)

// orderColumns is the column list every order read scans, in scanOrder's
// order.
const orderColumns = `id, type, domain_id, project_id, resource_id, created_at, completed_at,
	hold, paid_at, period_type, period_num, spec_code`

// The statements of the instance's life after its purchase. They are not
// on a hot path, so not prepared.
const (
	insertFullOrder = `INSERT INTO orders (` + orderColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// The instance must still be as read (rev), not unsubscribed, and, for
	// an instance, hold its enterprise project: a purchase that took it
	// back from a gone instance wins over a late renewal of that instance.
	saveInstanceLifecycle = `UPDATE instances SET spec_code = ?, product_id = ?, auto_renew_until = ?, gone_at = ?,
		renewed_months = ?, auto_renewals = ?, settled_at = ?, next_spec_code = ?, next_product_id = ?, next_spec_at = ?,
		rev = rev + 1
		WHERE id = ? AND domain_id = ? AND rev = ? AND unsubscribed_at = 0 AND (parent_id <> '' OR eps_slot IS NOT NULL)`
	settlePendingOrder = `UPDATE orders SET hold = ?, paid_at = ?, completed_at = ? WHERE id = ? AND domain_id = ? AND hold = ?`
	moveInstance       = `UPDATE instances SET eps_id = ?, eps_slot = ?
		WHERE id = ? AND domain_id = ? AND parent_id = '' AND eps_slot IS NOT NULL AND unsubscribed_at = 0 AND ` + notGone
	movePackages = `UPDATE instances SET eps_id = ? WHERE parent_id = ? AND domain_id = ?`
)

// SaveLifecycle stores one change of an instance's life in one
// transaction: the instance first, so that a change computed from a stale
// read fails before it writes anything.
func (s *Store) SaveLifecycle(ctx context.Context, w dayu.LifecycleWrite) error {
	var projects []string
	if w.Instance != nil {
		projects = []string{w.Instance.ProjectID}
	}
	err := s.changeInstances(ctx, projects, func(tx *sql.Tx) error {
		if i := w.Instance; i != nil {
			res, err := tx.ExecContext(ctx, s.sql(saveInstanceLifecycle), i.SpecCode, i.ProductID, ms(i.AutoRenewUntil), nullMS(i.GoneAt),
				i.RenewedMonths, i.AutoRenewals, ms(i.SettledAt), i.NextSpecCode, i.NextProductID, ms(i.NextSpecAt),
				i.ID, i.DomainID, i.Rev)
			if err := oneRow(res, err, dayu.ErrResourceChanged); err != nil {
				return err
			}
		}
		if o := w.Settle; o != nil {
			res, err := tx.ExecContext(ctx, s.sql(settlePendingOrder), int(o.Hold), ms(o.PaidAt), ms(o.CompletedAt), o.ID, o.DomainID, int(dayu.OrderPendingPayment))
			if err := oneRow(res, err, dayu.ErrOrderNotPending); err != nil {
				return err
			}
		}
		for _, o := range w.Orders {
			if _, err := tx.ExecContext(ctx, s.sql(insertFullOrder), o.ID, int(o.Type), o.DomainID, o.ProjectID, o.ResourceID,
				ms(o.CreatedAt), ms(o.CompletedAt), int(o.Hold), ms(o.PaidAt), int(o.PeriodType), o.PeriodNum, o.SpecCode); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil && w.Instance != nil {
		w.Instance.Rev++
	}
	return err
}

// oneRow turns a statement that changed no row into refused.
func oneRow(res sql.Result, err error, refused error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return refused
	}
	return nil
}

// MoveInstance moves an instance and its packages to another enterprise
// project of its project, in one transaction. A gone instance still
// holding the target enterprise project gives it back first, as for a
// purchase; the unique index refuses the move if another holds it.
func (s *Store) MoveInstance(ctx context.Context, i *dayu.Instance, epsID string, now time.Time) error {
	return s.changeInstances(ctx, []string{i.ProjectID}, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.reapSlot, i.ProjectID, epsID, ms(now)); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.sql(moveInstance), epsID, epsID, i.ID, i.DomainID, ms(now))
		if err != nil && s.dialect.IsUniqueViolation(err, "instances_one_per_eps") {
			return dayu.ErrEnterpriseProjectTaken
		}
		if err := oneRow(res, err, dayu.ErrResourceNotFound); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.sql(movePackages), epsID, i.ID, i.DomainID)
		return err
	})
}

// ProjectInstances returns the projects' instances and packages, oldest
// first.
func (s *Store) ProjectInstances(ctx context.Context, projectIDs []string) ([]*dayu.Instance, error) {
	if len(projectIDs) == 0 {
		return nil, nil
	}
	q := `SELECT ` + instanceColumns + ` FROM instances WHERE project_id IN (` + placeholders(len(projectIDs)) + `) ORDER BY seq`
	return s.scanInstances(s.read.QueryContext(ctx, s.sql(q), anys(projectIDs)...))
}

// ProjectOrders returns the domain's orders about the projects' resources.
func (s *Store) ProjectOrders(ctx context.Context, domainID string, projectIDs []string) ([]*dayu.Order, error) {
	if len(projectIDs) == 0 {
		return nil, nil
	}
	q := `SELECT ` + orderColumns + ` FROM orders WHERE domain_id = ? AND resource_id IN
		(SELECT id FROM instances WHERE project_id IN (` + placeholders(len(projectIDs)) + `))`
	rows, err := s.read.QueryContext(ctx, s.sql(q), append([]any{domainID}, anys(projectIDs)...)...)
	return scanAll(s, rows, err, scanOrder)
}

func scanOrder(row interface{ Scan(...any) error }) (*dayu.Order, error) {
	var o dayu.Order
	var typ, hold, pt int
	var created, completed, paid int64
	err := row.Scan(&o.ID, &typ, &o.DomainID, &o.ProjectID, &o.ResourceID, &created, &completed,
		&hold, &paid, &pt, &o.PeriodNum, &o.SpecCode)
	if err != nil {
		return nil, err
	}
	o.Type, o.Hold, o.PeriodType = dayu.OrderType(typ), dayu.OrderStatus(hold), dayu.PeriodType(pt)
	o.CreatedAt, o.CompletedAt, o.PaidAt = fromMS(created), fromMS(completed), fromMS(paid)
	return &o, nil
}

// sql puts a statement in the dialect's placeholders.
func (s *Store) sql(q string) string { return rebind(s.dialect.Numbered, q) }

// placeholders is n "?" separated by commas.
func placeholders(n int) string { return "?" + strings.Repeat(", ?", n-1) }

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for n, v := range ss {
		out[n] = v
	}
	return out
}
