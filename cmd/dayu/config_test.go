package main

import (
	"context"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/dayu-emu/dayu/internal/pgtest"
	"github.com/dayu-emu/dayu/sqlstore"
)

// parseConfig reads args as dayu serve does.
func parseConfig(t *testing.T, args ...string) (Config, error) {
	t.Helper()
	var c Config
	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	c.bind(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return c, c.load(fs)
}

// runsWith opens the store that args configure and checks the tuning it
// runs with: --pg-writers once stopped on the way.
func runsWith(t *testing.T, want sqlstore.Options, args ...string) {
	t.Helper()
	cfg, err := parseConfig(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	s, err := openStore(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := s.(interface{ Options() sqlstore.Options }).Options(); got != want {
		t.Errorf("%v: the store runs with %+v, want %+v", args, got, want)
	}
}

func TestStoreSettingsReachTheStore(t *testing.T) {
	runsWith(t, sqlstore.Options{BatchMax: 256, Writers: 1}, "--data", t.TempDir())
	runsWith(t, sqlstore.Options{BatchMax: 7, Writers: 1}, "--data", t.TempDir(), "--batch-max", "7")
	runsWith(t, sqlstore.Options{BatchMax: 9, Writers: 3, CommitTimeout: 7 * time.Second},
		"--store", pgtest.NewDatabase(t), "--pg-writers", "3", "--batch-max", "9", "--pg-max-conns", "5", "--pg-statement-timeout", "7s")
}

// TestBadStoreSettings: a setting the store would refuse stops the start
// with the flag named.
func TestBadStoreSettings(t *testing.T) {
	for _, args := range [][]string{
		{"--batch-max", "-1"},
		{"--batch-max", "5000"},
		{"--store", "postgres://x/y", "--pg-writers", "0"},
		{"--store", "postgres://x/y", "--pg-writers", "10", "--pg-max-conns", "10"},
		{"--store", "postgres://x/y", "--batch-max", "65"},
	} {
		if _, err := parseConfig(t, args...); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
}
