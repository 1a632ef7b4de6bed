package main

// Process tests of what a start decides from the store and the flags: the
// world served, dev mode, start-up errors, and dayu version.

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/internal/child"
	"github.com/dayu-emu/dayu/postgres"
	"github.com/dayu-emu/dayu/sqlite"
)

// runDayu runs the binary with args until it exits by itself (within
// readyTimeout) and returns its output and exit code: for commands that
// print and exit, and for starts that must fail.
func runDayu(t *testing.T, args ...string) (string, int) {
	t.Helper()
	bin, err := buildBin()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("dayu %s: still running after %s:\n%s", strings.Join(args, " "), readyTimeout, tail(string(out), 8<<10))
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("dayu %s: %v", strings.Join(args, " "), err)
	}
	return string(out), cmd.ProcessState.ExitCode()
}

// mustFailToStart runs dayu serve with args and checks that it exits
// non-zero saying each of want; it returns the output.
func mustFailToStart(t *testing.T, args []string, want ...string) string {
	t.Helper()
	addr, err := child.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	out, code := runDayu(t, append([]string{"serve", "--addr", addr}, args...)...)
	if code == 0 {
		t.Errorf("dayu serve %s: exit code 0, want a refusal:\n%s", strings.Join(args, " "), out)
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("dayu serve %s: the message does not say %q:\n%s", strings.Join(args, " "), w, out)
		}
	}
	return out
}

// served is what the start-up log line says is served.
type served struct {
	World              string `json:"world"`
	Domains            int    `json:"domains"`
	Projects           int    `json:"projects"`
	EnterpriseProjects int    `json:"enterprise_projects"`
	Dev                bool   `json:"dev"`
}

// served reads the start-up line of a node started with --log-format json.
// The line is written before the node listens, but its output reaches the
// test through a pipe that may lag behind /readyz: it is waited for a while.
func (n *node) served() served {
	n.t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		for sc := bufio.NewScanner(strings.NewReader(n.output())); sc.Scan(); {
			var line struct {
				Msg string `json:"msg"`
				served
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "dayu serving" {
				if line.World == "" {
					n.t.Fatalf("%s: the start-up line names no world: %s", n.name, sc.Text())
				}
				return line.served
			}
		}
	}
	n.t.Fatalf("%s: no start-up line in the output:\n%s", n.name, n.output())
	return served{}
}

// noDevMode checks that a node shows nothing of dev mode: no dev
// credentials printed, no quickstart, and the public dev admin token
// opens nothing.
func (n *node) noDevMode(wantAdmin int) {
	n.t.Helper()
	for _, secret := range []string{qs.Password, qs.SecretKey, devAdminToken, "Dev world"} {
		if strings.Contains(n.output(), secret) {
			n.t.Errorf("%s: the output shows %q", n.name, secret)
		}
	}
	if r := n.must("GET", "/_dayu/quickstart", nil); r.status != http.StatusNotFound {
		n.t.Errorf("%s: GET /_dayu/quickstart: %s, want 404", n.name, r)
	}
	if r := n.must("POST", "/_dayu/reset", nil, "Authorization", devAdmin); r.status != wantAdmin {
		n.t.Errorf("%s: POST /_dayu/reset with the dev admin token: %s, want %d", n.name, r, wantAdmin)
	}
	if s := n.served(); s.Dev {
		n.t.Errorf("%s: the start-up line says dev=true", n.name)
	}
}

// TestDevModeFollowsTheStoredWorld: a store first made with --world is
// never in dev mode, whatever the later starts leave out; one made without
// is, restart after restart; --dev over a world file is refused.
func TestDevModeFollowsTheStoredWorld(t *testing.T) {
	t.Run("world file", func(t *testing.T) {
		data := t.TempDir()
		a := startNode(t, "A", []string{"--data", data, "--world", worldFile(t, 1), "--log-format", "json"})
		token := a.token()
		a.mustBuy(token, purchase{Name: "kept", Eps: eps(0)})
		a.noDevMode(http.StatusNotFound)
		a.stop()

		// Restarted with no flag at all: still not in dev mode, and the
		// dev admin token did not reset anything.
		b := startNode(t, "B", []string{"--data", data, "--log-format", "json"})
		b.noDevMode(http.StatusNotFound)
		b.stop()
		// With an admin token of its own, the dev one is refused.
		c := startNode(t, "C", []string{"--data", data, "--log-format", "json", "--admin-token", adminToken})
		c.noDevMode(http.StatusUnauthorized)
		if got := c.listAll(token); len(got) != 1 || got[0].ResourceName != "kept" {
			t.Errorf("after the dev admin token was tried: list %+v, want the instance bought first", got)
		}
		c.stop()

		out := mustFailToStart(t, []string{"--data", data, "--dev"}, "--dev", data, "not the dev world")
		mustFailToStart(t, []string{"--data", data, "--dev", "--world", worldFile(t, 1)}, "--dev and --world")
		if strings.Contains(out, qs.Password) {
			t.Errorf("the refusal shows the dev password:\n%s", out)
		}
	})
	t.Run("dev world", func(t *testing.T) {
		data := t.TempDir()
		n := startNode(t, "A", []string{"--data", data, "--log-format", "json"})
		for restart := range 2 {
			if restart > 0 {
				n.stop()
				n = n.restart()
			}
			if r := n.must("GET", "/_dayu/quickstart", nil); r.status != http.StatusOK {
				t.Errorf("%s: GET /_dayu/quickstart on the dev world: %s", n.name, r)
			}
			if !strings.Contains(n.output(), qs.Password) || !n.served().Dev {
				t.Errorf("%s: the dev world's credentials are not printed, or dev=false", n.name)
			}
		}
	})
}

// TestWorldIsNotReplacedSilently: --world with another world than the
// stored one is refused unless --replace-world is given; the same world
// again (its plain passwords hashed anew) is fine; every start names the
// world it serves.
func TestWorldIsNotReplacedSilently(t *testing.T) {
	data := t.TempDir()
	example, err := filepath.Abs("../../examples/world.json") // plain passwords
	if err != nil {
		t.Fatal(err)
	}
	other := worldFile(t, 1) // the dev world's users, one enterprise project more
	args := func(more ...string) []string {
		return append([]string{"--data", data, "--log-format", "json"}, more...)
	}

	a := startNode(t, "A", args("--world", example))
	first := a.served()
	if want := (served{World: first.World, Domains: 1, Projects: 2, EnterpriseProjects: 2}); first != want {
		t.Errorf("A serves %+v, want %+v", first, want)
	}
	a.stop()

	mustFailToStart(t, args("--world", other), other, data, "holds another world", first.World, "--replace-world")

	b := a.restart() // the same file again
	if got := b.served(); got != first {
		t.Errorf("restarted with the same file: serves %+v, want %+v", got, first)
	}
	if r := b.must("POST", "/v3/auth/tokens", tokenRequest()); r.status != http.StatusUnauthorized {
		t.Errorf("the dev user's token request on the example world: %s, want 401", r)
	}
	b.stop()

	c := startNode(t, "C", args("--world", other, "--replace-world"))
	replaced := c.served()
	if replaced.World == first.World || replaced.EnterpriseProjects != 4 {
		t.Errorf("after --replace-world: serves %+v, want the other world (4 enterprise projects)", replaced)
	}
	c.token() // the other world's user can log in
	c.stop()

	d := startNode(t, "D", args())
	if got := d.served(); got != replaced {
		t.Errorf("restarted without --world: serves %+v, want %+v", got, replaced)
	}
	mustFailToStart(t, args("--replace-world"), "--replace-world needs --world")
}

// TestAStoreAnOlderVersionMadeStarts: a data directory and a PostgreSQL
// database whose world an older version stored (in its JSON form, the
// testdata's) start and serve that world, with the digest that version
// gave it; the same world file is accepted over it, another refused.
func TestAStoreAnOlderVersionMadeStarts(t *testing.T) {
	old, err := os.ReadFile("../../testdata/stored-world-json-v2.json")
	if err != nil {
		t.Fatal(err)
	}
	var recorded struct {
		Digest string `json:"dayu_digest"`
	}
	if err := json.Unmarshal(old, &recorded); err != nil {
		t.Fatal(err)
	}
	example, err := filepath.Abs("../../examples/world.json")
	if err != nil {
		t.Fatal(err)
	}
	check := func(t *testing.T, s dayu.Store, args []string) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := s.SaveDocument(ctx, "world", old)
		if cerr := s.Close(); err != nil || cerr != nil {
			t.Fatal(err, cerr)
		}
		want := served{World: recorded.Digest, Domains: 1, Projects: 2, EnterpriseProjects: 2}
		args = append(args, "--log-format", "json")
		for _, more := range [][]string{nil, {"--world", example}, nil} {
			n := startNode(t, "A", append(args, more...))
			if got := n.served(); got != want {
				t.Errorf("started with %q: serves %+v, want %+v", more, got, want)
			}
			n.stop()
		}
		mustFailToStart(t, append(args, "--world", worldFile(t, 1)), "holds another world", recorded.Digest)
	}
	t.Run("sqlite", func(t *testing.T) {
		data := t.TempDir()
		s, err := sqlite.Open(context.Background(), data, sqlite.DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		check(t, s, []string{"--data", data})
	})
	t.Run("postgres", func(t *testing.T) {
		dbURL := newPostgresDatabase(t)
		s, err := postgres.Open(context.Background(), dbURL, postgres.DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		check(t, s, []string{"--store", dbURL})
	})
}

// TestStartUpErrorsSayWhatAndWhere: a broken world file is reported with
// the file, line and column, a world nobody could log in to is refused,
// and neither start leaves a store behind.
func TestStartUpErrorsSayWhatAndWhere(t *testing.T) {
	dir := t.TempDir()
	write := func(name, doc string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	broken := write("broken.json", "{\n  \"regions\": [\n    {\"id\": \"r\" \"zones\": []}\n  ]\n}\n")
	empty := write("empty.json", `{"regions": [{"id": "r", "zones": ["r1"]}], "domains": []}`)
	cases := []struct {
		file string
		want []string
	}{
		{broken, []string{broken, "line 3, column 16", "invalid character"}},
		{empty, []string{empty, "no domain", "nobody could log in"}},
	}
	for _, c := range cases {
		data := filepath.Join(dir, "data-"+filepath.Base(c.file))
		mustFailToStart(t, []string{"--data", data, "--world", c.file}, c.want...)
		if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the failed start with %s left %s behind (%v)", filepath.Base(c.file), data, err)
		}
	}
	t.Run("postgres", func(t *testing.T) {
		dbURL := newPostgresDatabase(t)
		for _, c := range cases {
			mustFailToStart(t, []string{"--store", dbURL, "--world", c.file}, c.want...)
		}
		db, err := sql.Open("pgx", dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var tables int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'`).Scan(&tables); err != nil {
			t.Fatal(err)
		}
		if tables != 0 {
			t.Errorf("the failed starts left %d tables in the database", tables)
		}
	})
}

// TestVersion: dayu version and dayu --version print the name, what the
// build info holds of the module version and VCS revision (as go version
// -m reads it from the binary), and the Go version.
func TestVersion(t *testing.T) {
	bin, err := buildBin()
	if err != nil {
		t.Fatal(err)
	}
	info, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for line := range strings.Lines(string(info)) {
		switch f := strings.Fields(line); {
		case len(f) >= 3 && f[0] == "mod" && f[1] == "github.com/dayu-emu/dayu":
			want = append(want, f[2])
		case len(f) == 2 && strings.HasPrefix(f[1], "vcs.revision="):
			want = append(want, strings.TrimPrefix(f[1], "vcs.revision="))
		case len(f) == 2 && f[1] == "vcs.modified=true":
			want = append(want, "(modified)")
		}
	}
	if len(want) == 0 {
		t.Fatalf("go version -m %s shows no module version:\n%s", bin, info)
	}
	want = append(want, runtime.Version())
	var outs []string
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, code := runDayu(t, args...)
		if code != 0 || !strings.HasPrefix(out, "dayu ") {
			t.Errorf("dayu %s: exit code %d, output %q; want 0 and a line starting \"dayu \"", args[0], code, out)
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("dayu %s: %q does not say %q", args[0], out, w)
			}
		}
		outs = append(outs, out)
	}
	if outs[0] != outs[1] {
		t.Errorf("dayu version says %q, dayu --version %q", outs[0], outs[1])
	}
}
