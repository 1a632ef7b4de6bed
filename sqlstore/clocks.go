package sqlstore

import (
	"context"
	"database/sql"

	"github.com/dayu-emu/dayu"
)

// selectTestClocks reads every test clock.
const selectTestClocks = `SELECT domain_id, offset_ms, frozen, frozen_at, version FROM test_clocks`

// TestClocks returns every domain's test clock.
func (s *Store) TestClocks(ctx context.Context) ([]*dayu.TestClock, error) {
	rows, err := s.read.QueryContext(ctx, selectTestClocks)
	return scanAll(s, rows, err, scanTestClock)
}

func scanTestClock(row interface{ Scan(...any) error }) (*dayu.TestClock, error) {
	var tc dayu.TestClock
	var offset, frozenAt int64
	var frozen int
	if err := row.Scan(&tc.DomainID, &offset, &frozen, &frozenAt, &tc.Version); err != nil {
		return nil, err
	}
	tc.Offset, tc.Frozen, tc.FrozenAt = msDuration(offset), frozen == 1, fromMS(frozenAt)
	return &tc, nil
}

// SaveTestClock stores tc if the stored clock is still the version it was
// changed from: the insert or the update that finds no row of that version
// lost a race.
func (s *Store) SaveTestClock(ctx context.Context, tc *dayu.TestClock) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		q := `UPDATE test_clocks SET offset_ms = ?, frozen = ?, frozen_at = ?, version = version + 1 WHERE domain_id = ? AND version = ?`
		args := []any{tc.Offset.Milliseconds(), boolInt(tc.Frozen), ms(tc.FrozenAt), tc.DomainID, tc.Version}
		if tc.Version == 0 {
			q = `INSERT INTO test_clocks (offset_ms, frozen, frozen_at, domain_id, version) VALUES (?, ?, ?, ?, 1) ON CONFLICT (domain_id) DO NOTHING`
			args = args[:4]
		}
		res, err := tx.ExecContext(ctx, rebind(s.dialect.Numbered, q), args...)
		return oneRow(res, err, dayu.ErrClockChanged)
	})
	if err == nil {
		tc.Version++
	}
	return s.refused(err)
}
