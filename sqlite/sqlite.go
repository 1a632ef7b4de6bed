// Package sqlite is the embedded store: dayu.Store on a SQLite file in WAL
// mode (modernc.org/sqlite, pure Go, so no C toolchain is needed).
package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/sqlstore"
)

// FileName is the database file inside the data directory.
const FileName = "dayu.db"

// lockName is the file inside the data directory that one process at a
// time holds locked.
const lockName = "dayu.lock"

// Limits are the settings SQLite accepts: one writer, since SQLite
// serialises writers anyway and the group committer is the only one that
// writes purchases.
var Limits = sqlstore.Limits{MaxBatch: 4096, MaxWriters: 1}

// DefaultOptions tune the group commit for SQLite: one writer, and a batch
// that is the whole queue.
func DefaultOptions() sqlstore.Options {
	return sqlstore.Options{BatchMax: 256, Writers: 1}
}

// Store is the shared SQL store on SQLite, with what it holds beside the
// database: the lock that keeps any other process out of its data
// directory and the background checkpoints, or the connection that keeps an
// in-memory database alive.
type Store struct {
	*sqlstore.Store
	held []io.Closer // closed after the store, last first
}

// Close closes the database and lets go of what it held.
func (s *Store) Close() error {
	err := s.Store.Close()
	for _, h := range slices.Backward(s.held) {
		if cerr := h.Close(); cerr != nil && !errors.Is(cerr, os.ErrClosed) {
			err = errors.Join(err, cerr)
		}
	}
	return err
}

// Open opens (creating if needed) the store in dir, tuned by o.
// synchronous=FULL makes every commit reach the disk before it returns: a
// 200 means durable. A directory that another process holds is refused at
// once; a failed open leaves behind nothing that it created.
func Open(ctx context.Context, dir string, o sqlstore.Options) (_ *Store, err error) {
	if err := o.Check(Limits); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	path := filepath.Join(dir, FileName)
	undo, err := created(dir, path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: data directory %s: %w", dir, err)
	}
	defer func() {
		if err != nil {
			undo()
		}
	}()
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			lock.Close()
		}
	}()
	// A read-only file would open and then fail at the first write: say so
	// now, in words.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	f.Close()
	s, err := openDB(ctx, "file:"+path+"?", o)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s: %s", path, describe(err))
	}
	checkpoints, err := startCheckpoints("file:" + path + "?" + pragmas)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite: %s: %s", path, describe(err))
	}
	return &Store{Store: s, held: []io.Closer{lock, checkpoints}}, nil
}

// OpenMemory opens a new, empty store that lives in this process's memory
// only (SQLite's memdb): nothing is written to disk, and it is gone when
// closed. It is dayu serve --ephemeral's store, and dayutest's.
func OpenMemory(ctx context.Context, o sqlstore.Options) (*Store, error) {
	if err := o.Check(Limits); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	// A name of its own: a memdb is shared by the connections that name it,
	// and freed when the last of them closes, which keep prevents while the
	// pools close idle connections as they please.
	dsn := "file:/dayu-" + rand.Text() + "?vfs=memdb&"
	keep, err := sql.Open("sqlite", dsn)
	if err == nil {
		err = keep.PingContext(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: in memory: %s", describe(err))
	}
	s, err := openDB(ctx, dsn, o)
	if err != nil {
		keep.Close()
		return nil, fmt.Errorf("sqlite: in memory: %s", describe(err))
	}
	return &Store{Store: s, held: []io.Closer{keep}}, nil
}

// pragmas are every connection's settings. temp_store(MEMORY): a batch's
// savepoints journal in memory instead of spilling to a temporary file (a
// third of the disk writes otherwise).
const pragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_pragma=temp_store(MEMORY)"

// openDB opens the writer and the readers of the database that dsn (up to
// its parameters) names, and the Store on them.
func openDB(ctx context.Context, dsn string, o sqlstore.Options) (*sqlstore.Store, error) {
	write, err := sql.Open("sqlite", dsn+"_txlock=immediate&"+pragmas+fmt.Sprintf("&_pragma=wal_autocheckpoint(%d)", walSafetyNet))
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	read, err := sql.Open("sqlite", dsn+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, err
	}
	read.SetMaxOpenConns(4)
	read.SetMaxIdleConns(4)
	s, err := sqlstore.Open(ctx, write, read, sqlstore.Dialect{
		Name:              "sqlite",
		Serial:            "INTEGER PRIMARY KEY AUTOINCREMENT",
		IsUniqueViolation: isUniqueViolation,
		Classify:          classify,
	}, o)
	if err != nil {
		write.Close()
		read.Close()
		return nil, err
	}
	return s, nil
}

// created makes dir if needed and returns what undoes the files a failed
// open made: the directory if it was new, else the database files if they
// were.
func created(dir, path string) (undo func(), err error) {
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		return func() { _ = os.RemoveAll(dir) }, nil
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return func() {
			for _, f := range []string{path, path + "-wal", path + "-shm", filepath.Join(dir, lockName)} {
				_ = os.Remove(f)
			}
		}, nil
	}
	return func() {}, nil
}

// lockDir takes the data directory's lock for this process. The lock is the
// kernel's (flock), so a process that dies releases it.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("sqlite: data directory %s is in use by another dayu process (%s is locked): %w", dir, lockName, err)
	}
	return f, nil
}

// describe words a SQLite failure met while opening: its numeric result
// code means nothing to the person starting the server.
func describe(err error) string {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	switch e.Code() & 0xff {
	case sqlite3.SQLITE_NOTADB:
		return "the file is not a SQLite database (or it is encrypted)"
	case sqlite3.SQLITE_CORRUPT:
		return "the database file is corrupt"
	case sqlite3.SQLITE_CANTOPEN:
		return "the database file cannot be opened"
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM:
		return "permission denied: the database is read-only"
	case sqlite3.SQLITE_FULL:
		return "the disk is full"
	case sqlite3.SQLITE_IOERR:
		return "an I/O error on the disk"
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return "the database is locked by another process"
	}
	return err.Error()
}

// classify sorts SQLite's result codes into the store's failure classes.
func classify(err error) dayu.ErrorCode {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return ""
	}
	switch e.Code() & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return dayu.ETIMEOUT // busy_timeout ran out
	case sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY:
		return dayu.EUNAVAILABLE
	}
	return dayu.EINTERNAL
}

// uniqueColumns are the columns SQLite names in a violation of each unique
// index: its messages name columns, not indexes.
var uniqueColumns = map[string]string{
	"instances_one_per_eps": "instances.project_id, instances.eps_slot",
	"workspaces_by_name":    "workspaces.instance_id, workspaces.name",
}

func isUniqueViolation(err error, index string) bool {
	cols, ok := uniqueColumns[index]
	return ok && strings.Contains(err.Error(), "UNIQUE constraint failed: "+cols)
}
