package main

import (
	"strings"
	"testing"
	"time"
)

// TestDataDirectoryHeld: a second dayu serve on a data directory that a
// running one holds exits at once, non-zero, naming the directory; after a
// SIGKILL of the holder (the kernel drops its lock) a new one starts.
func TestDataDirectoryHeld(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first := startNode(t, "first", []string{"--data", dir})
	began := time.Now()
	second, err := launch(t, "second", []string{"--data", dir}, nil)
	if err == nil {
		second.kill()
		t.Fatal("a second node started on a held data directory")
	}
	if took := time.Since(began); took > 5*time.Second {
		t.Errorf("the second node took %s to give up, want at once", took)
	}
	if msg := err.Error(); !strings.Contains(msg, "exit status 1") || !strings.Contains(msg, dir) || !strings.Contains(msg, "in use") {
		t.Errorf("second node: %v; want exit status 1 and a message that %s is in use", err, dir)
	}
	first.kill()
	first.restart()
}
