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
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/sqlstore"
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

// Config tunes a PostgreSQL store: the group commit's Options, and what
// only a server over a network needs. Open checks every field; start from
// DefaultConfig.
type Config struct {
	// Options are the group commit's. BatchMax is at most 64: each purchase
	// is a savepoint (a subtransaction), and past 64 of them in one
	// transaction PostgreSQL's subtransaction cache overflows, which slows
	// every session's snapshots. Writers overlap the round trips of several
	// transactions; each holds a connection while it commits.
	// CommitTimeout bounds each group commit on the client.
	sqlstore.Options
	// MaxConns bounds the connections this node opens, open and idle. The
	// writers hold one each while they commit; reads and the other writes
	// share the rest, so it must exceed Writers.
	MaxConns int
	// ConnectTimeout bounds establishing one connection to one address
	// (dial, TLS, startup and authentication), so that an unreachable
	// server fails Open and requests instead of hanging them. It overrides
	// the URL's connect_timeout.
	ConnectTimeout time.Duration
	// StatementTimeout bounds, on the server, each statement
	// (statement_timeout) and each pause inside a transaction
	// (idle_in_transaction_session_timeout, so that a node that stops
	// mid-transaction releases its locks). It overrides those settings in
	// the URL. Zero means none. Reads are bounded by their callers'
	// contexts.
	StatementTimeout time.Duration
}

// Limits are the group commit settings PostgreSQL accepts.
var Limits = sqlstore.Limits{MaxBatch: 64, MaxWriters: 64}

// DefaultConfig is what dayu serve runs with unless told otherwise: four
// writers, measured in docs/performance.md to overlap round trips best on a
// small server.
func DefaultConfig() Config {
	return Config{
		Options:          sqlstore.Options{BatchMax: 32, Writers: 4, CommitTimeout: 30 * time.Second},
		MaxConns:         10,
		ConnectTimeout:   5 * time.Second,
		StatementTimeout: 30 * time.Second,
	}
}

// Check reports every setting of c that is out of range, naming it.
func (c Config) Check() error {
	errs := []error{c.Options.Check(Limits)}
	if c.MaxConns <= c.Writers {
		errs = append(errs, fmt.Errorf("max conns %d: must be more than the writers (%d), which hold one each", c.MaxConns, c.Writers))
	}
	if c.ConnectTimeout <= 0 {
		errs = append(errs, fmt.Errorf("connect timeout %s: must be positive", c.ConnectTimeout))
	}
	if c.StatementTimeout < 0 {
		errs = append(errs, fmt.Errorf("statement timeout %s: must not be negative", c.StatementTimeout))
	}
	return errors.Join(errs...)
}

// Open connects to the database at url (a postgres:// URL or a keyword=value
// DSN, as pgx reads them), migrates it and returns a Store on it, tuned by
// cfg. Nodes may open the same database at once. The same *sql.DB serves
// writes and reads. Behind a pooler in transaction mode, add
// default_query_exec_mode=exec to the URL: pgx otherwise keeps prepared
// statements on each connection.
func Open(ctx context.Context, url string, cfg Config) (*sqlstore.Store, error) {
	if err := cfg.Check(); err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	cc, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	cc.ConnectTimeout = cfg.ConnectTimeout
	if cfg.StatementTimeout > 0 {
		ms := strconv.FormatInt(max(cfg.StatementTimeout.Milliseconds(), 1), 10)
		cc.RuntimeParams["statement_timeout"] = ms
		cc.RuntimeParams["idle_in_transaction_session_timeout"] = ms
	}
	if cc.RuntimeParams["application_name"] == "" {
		cc.RuntimeParams["application_name"] = "dayu"
	}
	db := stdlib.OpenDB(*cc)
	db.SetMaxOpenConns(cfg.MaxConns)
	db.SetMaxIdleConns(cfg.MaxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s, err := sqlstore.Open(ctx, db, db, sqlstore.Dialect{
		Name:              "postgres",
		Numbered:          true,
		IsUniqueViolation: isUniqueViolation,
		Classify:          classify,
		KeepSavepoints:    true,
		Serial:            "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
		MigrationLock:     migrationLock,
		Pipeline:          pipeline,
	}, cfg.Options)
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// classify sorts PostgreSQL's failures into the store's classes by their
// SQLSTATE: a cancelled statement is a timeout (statement_timeout), the
// connection and operator-intervention classes are an unavailable server.
func classify(err error) dayu.ErrorCode {
	var pgErr *pgconn.PgError
	var connectErr *pgconn.ConnectError
	switch {
	case errors.As(err, &pgErr):
		switch {
		case pgErr.Code == "57014", pgErr.Code == "25P03": // query_canceled, idle_in_transaction_session_timeout
			return dayu.ETIMEOUT
		case strings.HasPrefix(pgErr.Code, "08"), strings.HasPrefix(pgErr.Code, "57P"), strings.HasPrefix(pgErr.Code, "53"):
			return dayu.EUNAVAILABLE // connection exception, shutdown, insufficient resources
		}
		return dayu.EINTERNAL
	case errors.As(err, &connectErr):
		return dayu.EUNAVAILABLE
	case pgconn.Timeout(err):
		return dayu.ETIMEOUT
	}
	return ""
}

// isUniqueViolation reports whether err violates the unique index named index.
func isUniqueViolation(err error, index string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == uniqueViolation && pgErr.ConstraintName == index
}

// pipeline sends the statements as one pgx batch: one round trip, run by
// PostgreSQL as one implicit transaction that commits (synchronously, as
// every commit) at the batch's end, or rolls back whole at the first error.
func pipeline(ctx context.Context, driverConn any, stmts []sqlstore.Statement) error {
	c, ok := driverConn.(*stdlib.Conn)
	if !ok {
		return fmt.Errorf("postgres: pipeline on a %T", driverConn)
	}
	b := &pgx.Batch{}
	for _, st := range stmts {
		b.Queue(st.Query, st.Args...)
	}
	err := c.Conn().SendBatch(ctx, b).Close()
	if _, refused := errors.AsType[*pgconn.PgError](err); refused {
		return fmt.Errorf("%w: %w", sqlstore.ErrPipelineUndone, err)
	}
	return err
}
