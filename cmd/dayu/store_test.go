package main

import (
	"os"
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

// TestEphemeral: dayu serve --ephemeral serves as usual and writes nothing,
// not even an empty data directory; a restart starts empty.
func TestEphemeral(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	n, err := launchIn(t, dir, "ephemeral", []string{"--ephemeral"}, []string{"TMPDIR=" + dir})
	if err != nil {
		t.Fatal(err)
	}
	tok := n.token()
	n.mustBuy(tok, purchase{Name: "ephemeral", Eps: qs.EpsID})
	if got := len(n.listAll(tok)); got != 1 {
		t.Fatalf("listed %d, want the 1 bought", got)
	}
	if code := n.stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("--ephemeral wrote %v", entries)
	}
	m, err := launchIn(t, dir, "ephemeral again", []string{"--ephemeral"}, []string{"TMPDIR=" + dir})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(m.listAll(m.token())); got != 0 {
		t.Errorf("a restarted --ephemeral lists %d, want none", got)
	}
	if _, err := launch(t, "ephemeral with data", []string{"--ephemeral", "--data", dir}, nil); err == nil || !strings.Contains(err.Error(), "--ephemeral") {
		t.Errorf("--ephemeral --data: %v, want a refusal", err)
	}
}
