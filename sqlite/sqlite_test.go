package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/sqlite"
	"github.com/dayu-emu/dayu/sqlstore"
	"github.com/dayu-emu/dayu/storetest"
)

// TestConformance runs the store conformance suite on a SQLite file in a
// fresh temporary directory per test.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) func() (dayu.Store, error) {
		dir := t.TempDir()
		return func() (dayu.Store, error) {
			s, err := sqlite.Open(context.Background(), dir, sqlstore.Options{BatchMax: 64, Writers: 1})
			if err != nil {
				return nil, err // not a typed nil in the interface
			}
			return s, nil
		}
	})
}

func BenchmarkCreatePurchase(b *testing.B) {
	s, err := sqlite.Open(context.Background(), b.TempDir(), sqlite.DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	storetest.BenchmarkCreatePurchase(b, s)
}

// TestOneProcess: a data directory that a store holds is refused to a
// second one at once, with a message naming it, and free again after Close.
func TestOneProcess(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	first, err := sqlite.Open(ctx, dir, sqlite.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	second, err := sqlite.Open(ctx, dir, sqlite.DefaultOptions())
	if err == nil {
		second.Close()
		t.Fatal("a second Open of a held directory succeeded")
	}
	if !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "in use") {
		t.Errorf("second Open: %v; want a message that the directory %s is in use", err, dir)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := sqlite.Open(ctx, dir, sqlite.DefaultOptions())
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	again.Close()
}

// TestOpenErrors: a store that cannot be opened says why in words and
// where, and leaves nothing behind that it made.
func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	t.Run("not a database", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, sqlite.FileName)
		if err := os.WriteFile(path, bytes.Repeat([]byte("not sqlite "), 200), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := sqlite.Open(ctx, dir, sqlite.DefaultOptions())
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "not a SQLite database") || strings.Contains(err.Error(), "(26)") {
			t.Errorf("Open of a file that is not a database: %v; want its path and the cause in words", err)
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("the user's file is gone: %v", err)
		}
	})
	t.Run("not a directory", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(file, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := sqlite.Open(ctx, filepath.Join(file, "data"), sqlite.DefaultOptions())
		if err == nil || !strings.Contains(err.Error(), "not a directory") {
			t.Errorf("Open under a file: %v; want \"not a directory\"", err)
		}
	})
	t.Run("bad options", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "data")
		for _, o := range []sqlstore.Options{{}, {BatchMax: 10, Writers: 2}, {BatchMax: -1, Writers: 1}} {
			if s, err := sqlite.Open(ctx, dir, o); err == nil {
				s.Close()
				t.Errorf("Open with %+v succeeded", o)
			}
		}
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a refused Open left %s behind (%v)", dir, err)
		}
	})
}

// TestOptionsReachTheStore: what Open is given is what the store runs with.
func TestOptionsReachTheStore(t *testing.T) {
	o := sqlstore.Options{BatchMax: 7, Writers: 1}
	s, err := sqlite.Open(context.Background(), t.TempDir(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := s.Options(); got != o {
		t.Errorf("Options() = %+v, want %+v", got, o)
	}
}

// TestConformanceInMemory runs the suite on the in-memory store (dayu
// serve --ephemeral). It has no restart: the suite's reopen gets the same
// store back, its data as it was.
func TestConformanceInMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) func() (dayu.Store, error) {
		s, err := sqlite.OpenMemory(context.Background(), sqlstore.Options{BatchMax: 64, Writers: 1})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return func() (dayu.Store, error) { return unclosed{s}, nil }
	})
}

// unclosed is a store whose Close waits for the test's end (the store
// itself, not dayu.Store, so that it is still a dayu.ObservableStore).
type unclosed struct{ *sqlite.Store }

func (unclosed) Close() error { return nil }

// TestMemoryWritesNothing: the in-memory store leaves no file anywhere it
// could (the working directory, the temporary directory).
func TestMemoryWritesNothing(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("TMPDIR", dir)
	s, err := sqlite.OpenMemory(context.Background(), sqlite.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.SaveDocument(ctx, "world", bytes.Repeat([]byte("x"), 1<<20)); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveTimings(ctx, "p1", dayu.DefaultTimings); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("the in-memory store wrote %v", entries)
	}
}

// TestCountsOfStoredInstances: a data directory written before migration
// 0020 (no count rows) lists the same count once migrated: the migration
// counts the instances already stored, and those gone stay out.
func TestCountsOfStoredInstances(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, dir, sqlite.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	for k := range 5 {
		o := &dayu.Order{ID: fmt.Sprintf("CS-%d", k), DomainID: "d1", ProjectID: "p1", CreatedAt: now, CompletedAt: now}
		i := &dayu.Instance{ID: fmt.Sprintf("i-%d", k), ProjectID: "p1", DomainID: "d1", OrderID: o.ID, EpsID: fmt.Sprintf("eps-%d", k),
			CreatedAt: now, EffectiveAt: now, ExpiresAt: now.Add(time.Hour)}
		if k == 0 {
			i.GoneAt = now.Add(time.Minute)
		}
		o.ResourceID = i.ID
		if err := s.CreatePurchase(ctx, o, i); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// The database as a build before 0020 (and 0050) left it.
	db, err := sql.Open("sqlite", filepath.Join(dir, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DROP INDEX instances_gone`, `DROP TABLE instance_counts`, `DELETE FROM schema_migrations WHERE version IN (20, 50)`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	s, err = sqlite.Open(ctx, dir, sqlite.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, c := range []struct {
		at   time.Time
		want int
	}{{now, 5}, {now.Add(time.Minute), 4}} {
		list, total, err := s.ListInstances(ctx, "p1", dayu.Page{Limit: 10}, c.at)
		if err != nil || total != c.want || len(list) != c.want {
			t.Errorf("migrated, at %s: %d listed, count %d, %v; want %d", c.at.Format(time.RFC3339), len(list), total, err, c.want)
		}
	}
}

// TestCheckpointsInTheBackground: what purchases write reaches the database
// file while the store runs, well before the writer's own limit of 10,000
// WAL pages would copy it there, and the WAL stops growing once copied
// (SQLite starts it over from its beginning).
func TestCheckpointsInTheBackground(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, dir, sqlite.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	size := func(name string) int64 {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	buy := func(from, to int) {
		now := time.Now().UTC().Truncate(time.Millisecond)
		for k := from; k < to; k++ {
			o := &dayu.Order{ID: fmt.Sprintf("CS-%d", k), DomainID: "d1", ProjectID: "p1", CreatedAt: now, CompletedAt: now}
			i := &dayu.Instance{ID: fmt.Sprintf("i-%d", k), ProjectID: "p1", DomainID: "d1", OrderID: o.ID, EpsID: fmt.Sprintf("eps-%d", k),
				CreatedAt: now, EffectiveAt: now, ExpiresAt: now.Add(time.Hour)}
			o.ResourceID = i.ID
			if err := s.CreatePurchase(ctx, o, i); err != nil {
				t.Fatal(err)
			}
		}
	}
	settle := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: database file %d bytes, WAL %d bytes", what, size(sqlite.FileName), size(sqlite.FileName+"-wal"))
			}
		}
	}
	before := size(sqlite.FileName)
	buy(0, 300)
	settle("the purchases never reached the database file", func() bool { return size(sqlite.FileName) > before })
	// Three more rounds of as many purchases, each after a pause in which a
	// checkpoint copies everything: each round then writes the WAL over
	// from its beginning, so the file stops growing.
	var wal int64
	for round := 1; round <= 3; round++ {
		// The checkpoint is done when the database file stops growing for
		// a few of its periods (however loaded the machine is).
		deadline := time.Now().Add(10 * time.Second)
		for last, still := int64(-1), 0; still < 3; time.Sleep(200 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the database file never stopped growing")
			}
			if n := size(sqlite.FileName); n == last {
				still++
			} else {
				last, still = n, 0
			}
		}
		buy(300*round, 300*(round+1))
		if round == 1 {
			wal = size(sqlite.FileName + "-wal")
		}
	}
	if got := size(sqlite.FileName + "-wal"); got > wal*3/2 { // not started over: about 3 times
		t.Errorf("the WAL grew from %d to %d bytes over two more rounds of as many purchases: it is not started over", wal, got)
	}
}
