// Package pgtest gives tests a fresh PostgreSQL database each, on the
// server named by DAYU_TEST_POSTGRES_URL; without it they are skipped.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the database/sql driver "pgx", for the admin connection
)

// URLEnv names the environment variable that points the tests at a server.
const URLEnv = "DAYU_TEST_POSTGRES_URL"

// ServerURL is the URL of the test server; the test is skipped without one.
func ServerURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(URLEnv)
	if u == "" {
		t.Skipf("no PostgreSQL server: set %s to a URL whose user may create databases, e.g. %s='postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'", URLEnv, URLEnv)
	}
	return u
}

// NewDatabase creates an empty database, dropped when the test ends, and
// returns its URL.
func NewDatabase(t testing.TB) string {
	t.Helper()
	server := ServerURL(t)
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	name := "dayu_test_" + hex.EncodeToString(b)
	if err := exec(server, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := exec(server, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	return WithDatabase(t, server, name)
}

func exec(server, statement string) error {
	admin, err := sql.Open("pgx", server)
	if err != nil {
		return err
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = admin.ExecContext(ctx, statement)
	return err
}

// WithDatabase returns the server URL with another database.
func WithDatabase(t testing.TB, server, name string) string {
	t.Helper()
	if !strings.Contains(server, "://") { // a keyword=value DSN: the last dbname wins
		return server + " dbname=" + name
	}
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("%s: %v", URLEnv, err)
	}
	u.Path = "/" + name
	return u.String()
}
