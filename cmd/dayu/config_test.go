package main

import (
	"strings"
	"testing"

	"github.com/spf13/pflag"
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
