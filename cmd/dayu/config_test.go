package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/dayu-emu/dayu/internal/pgtest"
	"github.com/dayu-emu/dayu/sqlstore"
)

// loadConfig loads a Config from args as dayu serve does.
func loadConfig(t *testing.T, args ...string) (Config, error) {
	t.Helper()
	var c Config
	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	c.bind(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parse %v: %v", args, err)
	}
	return c, c.load(fs)
}

// runsWith opens the store that args configure and checks the tuning it
// runs with: --pg-writers once stopped on the way.
func runsWith(t *testing.T, want sqlstore.Options, args ...string) {
	t.Helper()
	cfg, err := loadConfig(t, args...)
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
		if _, err := loadConfig(t, args...); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
}

// TestConfigTimeouts: by default a request that waits for the store as
// long as it may still has its 500 written, and a start with a request
// timeout that would not is refused.
func TestConfigTimeouts(t *testing.T) {
	c, err := loadConfig(t)
	if err != nil {
		t.Fatal(err)
	}
	if c.RequestTimeout <= 0 || c.RequestTimeout >= c.WriteTimeout {
		t.Errorf("defaults: --request-timeout %s, --write-timeout %s; want the first below the second", c.RequestTimeout, c.WriteTimeout)
	}
	for _, args := range [][]string{{"--request-timeout", "30s"}, {"--write-timeout", "5s"}, {"--request-timeout", "3s", "--write-timeout", "3s"}, {"--request-timeout", "0s"}} {
		if _, err := loadConfig(t, args...); err == nil || !strings.Contains(err.Error(), "--write-timeout") {
			t.Errorf("%v: %v, want an error naming --write-timeout", args, err)
		}
	}
	t.Setenv("DAYU_REQUEST_TIMEOUT", "40s")
	if _, err := loadConfig(t); err == nil {
		t.Error("DAYU_REQUEST_TIMEOUT=40s was accepted with the default write timeout")
	}
	if c, err := loadConfig(t, "--write-timeout", "1m"); err != nil || c.RequestTimeout != 40e9 {
		t.Errorf("DAYU_REQUEST_TIMEOUT=40s --write-timeout 1m: %+v, %v", c.RequestTimeout, err)
	}
}

// TestConfigTimingsBounded: a lifecycle delay over the documented
// maximum is refused at start, naming the flag.
func TestConfigTimingsBounded(t *testing.T) {
	for _, flag := range []string{"--provisioning-delay", "--deletion-delay", "--grace-period", "--retention-period"} {
		if _, err := loadConfig(t, flag, "87601h"); err == nil || !strings.Contains(err.Error(), flag) {
			t.Errorf("%s 87601h: %v, want an error naming it", flag, err)
		}
		if _, err := loadConfig(t, flag, "87600h"); err != nil {
			t.Errorf("%s 87600h (10 years): %v", flag, err)
		}
	}
}

// TestConfigPublicURL: the catalog's URL is --public-url (or
// DAYU_PUBLIC_URL), http://<--addr> by default; anything but an http(s)
// URL with a host is refused at start.
func TestConfigPublicURL(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "http://127.0.0.1:8080"},
		{[]string{"--addr", "0.0.0.0:9000"}, "http://0.0.0.0:9000"},
		{[]string{"--public-url", "https://dayu.example.com/"}, "https://dayu.example.com"},
		{[]string{"--public-url", "http://gw.internal:80/dayu"}, "http://gw.internal:80/dayu"},
	} {
		got, err := loadConfig(t, c.args...)
		if err != nil || got.PublicURL != c.want {
			t.Errorf("%v: public URL %q, %v; want %q", c.args, got.PublicURL, err, c.want)
		}
	}
	for _, bad := range []string{"dayu.example.com", "ftp://dayu.example.com", "http://", "http://x/?a=1", "http://user:pw@x", "http://x/#f"} {
		if _, err := loadConfig(t, "--public-url", bad); err == nil || !strings.Contains(err.Error(), "--public-url") {
			t.Errorf("--public-url %q: %v, want an error naming --public-url", bad, err)
		}
	}
	t.Setenv("DAYU_PUBLIC_URL", "https://from-env.example.com")
	if got, err := loadConfig(t); err != nil || got.PublicURL != "https://from-env.example.com" {
		t.Errorf("DAYU_PUBLIC_URL: %q, %v", got.PublicURL, err)
	}
}
