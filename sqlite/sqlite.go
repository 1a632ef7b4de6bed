// Package sqlite is the embedded store: dayu.Store on a SQLite file in WAL
// mode (modernc.org/sqlite, pure Go, so no C toolchain is needed).
package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/dayu-emu/dayu/sqlstore"
	_ "modernc.org/sqlite" // the database/sql driver "sqlite"
)

// DefaultBatchMax is how many purchases share one commit when the caller
// gives 0: SQLite has one writer, so the batch is the whole queue.
const DefaultBatchMax = 256

// FileName is the database file inside the data directory.
const FileName = "dayu.db"

// Open opens (creating if needed) the store in dir. synchronous=FULL makes
// every commit reach the disk before it returns: a 200 means durable.
func Open(ctx context.Context, dir string, batchMax int) (*sqlstore.Store, error) {
	if batchMax == 0 {
		batchMax = DefaultBatchMax
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	path := filepath.Join(dir, FileName)
	// temp_store(MEMORY): a batch's savepoints journal in memory instead of
	// spilling to a temporary file (a third of the disk writes otherwise).
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_pragma=temp_store(MEMORY)"
	// One writer connection: SQLite serialises writers anyway, and the
	// group committer is the only one that writes purchases.
	write, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate&"+pragmas)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	read, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	read.SetMaxOpenConns(4)
	read.SetMaxIdleConns(4)
	s, err := sqlstore.Open(ctx, write, read, sqlstore.Dialect{
		Name:              "sqlite",
		Serial:            "INTEGER PRIMARY KEY AUTOINCREMENT",
		IsUniqueViolation: isUniqueViolation,
	}, batchMax)
	if err != nil {
		write.Close()
		read.Close()
		return nil, err
	}
	return s, nil
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
