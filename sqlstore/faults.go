package sqlstore

import (
	"context"
	"database/sql"

	"github.com/dayu-emu/dayu"
)

const faultColumns = `id, operation, project_id, probability, count, remaining, latency_ms,
	error_status, error_code, error_msg, drop_connection, lose_response, created_at, expires_at`

// insertFaultRule stores a rule; the ones stored before it come first.
const insertFaultRule = `INSERT INTO fault_rules (` + faultColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// faultRuleArgs are r's values for insertFaultRule.
func faultRuleArgs(r *dayu.FaultRule) []any {
	var e dayu.FaultError
	if r.Error != nil {
		e = *r.Error
	}
	return []any{r.ID, string(r.Operation), r.ProjectID, r.Probability, r.Count, r.Remaining, r.Latency.Milliseconds(),
		e.Status, e.Code, e.Message, boolInt(r.DropConnection), boolInt(r.LoseResponse), ms(r.CreatedAt), ms(r.ExpiresAt)}
}

// AddFaultRule stores a rule.
func (s *Store) AddFaultRule(ctx context.Context, r *dayu.FaultRule) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.sql(insertFaultRule), faultRuleArgs(r)...)
		return err
	})
}

// selectFaultRules reads every rule, oldest first.
const selectFaultRules = `SELECT ` + faultColumns + ` FROM fault_rules ORDER BY seq`

// FaultRules returns every rule, oldest first.
func (s *Store) FaultRules(ctx context.Context) ([]*dayu.FaultRule, error) {
	rows, err := s.read.QueryContext(ctx, selectFaultRules)
	return scanAll(s, rows, err, scanFaultRule)
}

func scanFaultRule(row interface{ Scan(...any) error }) (*dayu.FaultRule, error) {
	var r dayu.FaultRule
	var e dayu.FaultError
	var op string
	var latency, created, expires int64
	var drop, lose int
	if err := row.Scan(&r.ID, &op, &r.ProjectID, &r.Probability, &r.Count, &r.Remaining, &latency,
		&e.Status, &e.Code, &e.Message, &drop, &lose, &created, &expires); err != nil {
		return nil, err
	}
	r.Operation, r.Latency = dayu.Operation(op), msDuration(latency)
	r.DropConnection, r.LoseResponse = drop == 1, lose == 1
	r.CreatedAt, r.ExpiresAt = fromMS(created), fromMS(expires)
	if e.Status != 0 {
		r.Error = &e
	}
	return &r, nil
}

// TakeFaultHit takes one remaining hit of a counted rule: the row's update
// is the arbiter between nodes.
func (s *Store) TakeFaultHit(ctx context.Context, id string) (bool, error) {
	var took bool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, rebind(s.dialect.Numbered, `UPDATE fault_rules SET remaining = remaining - 1 WHERE id = ? AND remaining > 0`), id)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		took = n == 1
		return err
	})
	return took, err
}

// DeleteFaultRule deletes one rule.
func (s *Store) DeleteFaultRule(ctx context.Context, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, rebind(s.dialect.Numbered, `DELETE FROM fault_rules WHERE id = ?`), id)
		return oneRow(res, err, dayu.ErrFaultRuleNotFound)
	})
}

// DeleteFaultRules deletes every rule.
func (s *Store) DeleteFaultRules(ctx context.Context) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM fault_rules`)
		return err
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
