// Package postgres is the shared store: dayu.Store on PostgreSQL, for
// several Dayu nodes serving one database. It drives pgx v5 through its
// database/sql adapter so that sqlstore's code serves SQLite and PostgreSQL
// alike.
//
// The SQL stays within what PostgreSQL-compatible distributed databases
// accept: plain tables and indexes, no triggers, no LISTEN/NOTIFY. The one
// PostgreSQL-only feature is the advisory lock that serialises migrations
// (see migrationLock).
package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/dayu-emu/dayu/sqlstore"
)

// Defaults for the zero fields of Config.
const (
	DefaultBatchMax         = 32
	DefaultMaxConns         = 10
	DefaultConnectTimeout   = 5 * time.Second
	DefaultStatementTimeout = 30 * time.Second
	// DefaultWriters is how many group commits run at once: each waits on
	// round trips, so several overlap (docs/performance.md).
	DefaultWriters = 4
)

// migrationLock is taken first in the migration transaction: nodes that
// start at once then migrate one after the other, and the later ones find
// the schema done. It is a transaction-level advisory lock, released by the
// commit or the rollback, so a node that dies mid-migration cannot leave it
// held. This is the only advisory lock Dayu takes, and migration its only
// use (an engine without advisory locks would need the nodes' first start
// serialised some other way). The key is an arbitrary constant ("dayu" in
// ASCII) that other users of the database are unlikely to pick.
const migrationLock = `SELECT pg_advisory_xact_lock(1684109685)`

// uniqueViolation is PostgreSQL's SQLSTATE for a unique index violation.
const uniqueViolation = "23505"

// Config tunes a PostgreSQL store. The zero Config is usable.
type Config struct {
	// BatchMax bounds how many purchases share one group-commit
	// transaction; zero means DefaultBatchMax. Keep it at most 64: each
	// purchase is a savepoint (a subtransaction), and past 64 of them in
	// one transaction PostgreSQL's subtransaction cache overflows, which
	// slows every session's snapshots.
	BatchMax int
	// MaxConns bounds the connections this node opens, open and idle;
	// zero means DefaultMaxConns. The group committer holds one while it
	// commits; reads and the other writes share the rest.
	MaxConns int
	// ConnectTimeout bounds establishing one connection to one address
	// (dial, TLS, startup and authentication), so that an unreachable
	// server fails Open and requests instead of hanging them. Zero means
	// the URL's connect_timeout, or DefaultConnectTimeout if it has none.
	ConnectTimeout time.Duration
	// StatementTimeout bounds, on the server, each statement
	// (statement_timeout) and each pause inside a transaction
	// (idle_in_transaction_session_timeout, so that a node that stops
	// mid-transaction releases its locks), and, on the client, each group
	// commit (sqlstore.Dialect.CommitTimeout). It overrides those settings
	// in the URL. Zero means DefaultStatementTimeout; negative means none.
	// Reads are bounded by their callers' contexts.
	StatementTimeout time.Duration
	// Writers is how many group commits run at once; zero means
	// DefaultWriters. Each holds a connection while it commits.
	Writers int
}

// Open connects to the database at url (a postgres:// URL or a keyword=value
// DSN, as pgx reads them), migrates it and returns a Store on it. Nodes may
// open the same database at once. The same *sql.DB serves writes and reads.
// Behind a pooler in transaction mode, add default_query_exec_mode=exec to
// the URL: pgx otherwise keeps prepared statements on each connection.
func Open(ctx context.Context, url string, cfg Config) (*sqlstore.Store, error) {
	cc, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	switch {
	case cfg.ConnectTimeout > 0:
		cc.ConnectTimeout = cfg.ConnectTimeout
	case cc.ConnectTimeout == 0:
		cc.ConnectTimeout = DefaultConnectTimeout
	}
	statementTimeout := cfg.StatementTimeout
	if statementTimeout == 0 {
		statementTimeout = DefaultStatementTimeout
	}
	if statementTimeout > 0 {
		ms := strconv.FormatInt(max(statementTimeout.Milliseconds(), 1), 10)
		cc.RuntimeParams["statement_timeout"] = ms
		cc.RuntimeParams["idle_in_transaction_session_timeout"] = ms
	} else {
		statementTimeout = 0
	}
	if cc.RuntimeParams["application_name"] == "" {
		cc.RuntimeParams["application_name"] = "dayu"
	}
	maxConns := cfg.MaxConns
	if maxConns <= 0 {
		maxConns = DefaultMaxConns
	}
	writers := cfg.Writers
	if writers <= 0 {
		writers = DefaultWriters
	}
	maxConns = max(maxConns, writers+1) // the writers and at least one reader
	batchMax := cfg.BatchMax
	if batchMax <= 0 {
		batchMax = DefaultBatchMax
	}

	db := stdlib.OpenDB(*cc)
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s, err := sqlstore.Open(ctx, db, db, sqlstore.Dialect{
		Name:              "postgres",
		Numbered:          true,
		IsUniqueViolation: isUniqueViolation,
		Serial:            "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
		MigrationLock:     migrationLock,
		CommitTimeout:     statementTimeout,
	}, batchMax)
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// isUniqueViolation reports whether err violates the unique index named index.
func isUniqueViolation(err error, index string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == uniqueViolation && pgErr.ConstraintName == index
}
