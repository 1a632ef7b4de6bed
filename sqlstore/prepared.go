package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
)

// statements are the hot statements, prepared once at open: SQLite would
// otherwise parse every statement anew (a tenth of a purchase's CPU in the
// profile of docs/performance.md). They are prepared up front, not when
// first used, because a transaction may hold SQLite's one write connection
// then; in a transaction database/sql prepares them again on its connection
// if needed.
type statements map[string]*sql.Stmt

func prepare(ctx context.Context, db *sql.DB, queries ...string) (statements, error) {
	p := statements{}
	for _, q := range queries {
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			p.close()
			return nil, err
		}
		p[q] = st
	}
	return p, nil
}

func (p statements) get(query string) (*sql.Stmt, error) {
	if st, ok := p[query]; ok {
		return st, nil
	}
	return nil, fmt.Errorf("sqlstore: statement not prepared: %s", query)
}

func (p statements) close() {
	for _, st := range p {
		_ = st.Close()
	}
}

// execTx runs a prepared statement of the write database in tx.
func (s *Store) execTx(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	st, err := s.writes.get(query)
	if err != nil {
		return nil, err
	}
	return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
}

// queryRowTx reads one row with a prepared statement in tx.
func (s *Store) queryRowTx(ctx context.Context, tx *sql.Tx, query string, args ...any) (*sql.Row, error) {
	st, err := s.writes.get(query)
	if err != nil {
		return nil, err
	}
	return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...), nil
}

// queryRead runs a prepared statement of the read database.
func (s *Store) queryRead(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := s.reads.get(query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// queryRowRead reads one row with a prepared statement of the read database.
func (s *Store) queryRowRead(ctx context.Context, query string, args ...any) (*sql.Row, error) {
	st, err := s.reads.get(query)
	if err != nil {
		return nil, err
	}
	return st.QueryRowContext(ctx, args...), nil
}
