package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dayu-emu/dayu/dayutest"
)

// cli runs a client command in-process against srv and returns what it
// printed.
func cli(t *testing.T, ctx context.Context, srv *dayutest.Server, args ...string) (string, error) {
	t.Helper()
	root := rootCommand()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(append(args, "--endpoint", srv.URL, "--admin-token", srv.AdminToken))
	err := root.ExecuteContext(ctx)
	return out.String(), err
}

// mustCLI is cli failing the test on an error.
func mustCLI(t *testing.T, srv *dayutest.Server, args ...string) string {
	t.Helper()
	out, err := cli(t, context.Background(), srv, args...)
	if err != nil {
		t.Fatalf("dayu %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// wantIn fails unless out holds every one of want.
func wantIn(t *testing.T, what, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("%s: %q is not in\n%s", what, w, out)
		}
	}
}

// clearSDKEnv keeps the caller's SDK credentials out of the test.
func clearSDKEnv(t *testing.T) {
	for _, k := range []string{akEnv, skEnv, projectEnv, endpointEnv, adminTokenEnv} {
		t.Setenv(k, "")
	}
}

func TestCLI(t *testing.T) {
	clearSDKEnv(t)
	srv := dayutest.New(t)
	q := srv.Quickstart

	// One line buys, from the dev quickstart; -o json is the API's answer.
	wantIn(t, "buy", mustCLI(t, srv, "instances", "buy", "--name", "first"), "ORDER", "INSTANCE", "CS")
	var bought struct {
		OrderID    string `json:"order_id"`
		ResourceID string `json:"resource_id"`
	}
	out := mustCLI(t, srv, "instances", "buy", "-o", "json", "--name", "second", "--eps", "3a7e0c1e-4b8f-4d8e-9c1a-0d5e6f7a8b9d",
		"--period", "1y", "--auto-renew", "--edition", "dayu.basic")
	if err := json.Unmarshal([]byte(out), &bought); err != nil || bought.ResourceID == "" {
		t.Fatalf("buy -o json: %v: %s", err, out)
	}
	_, err := cli(t, context.Background(), srv, "instances", "buy")
	if err == nil || !strings.Contains(err.Error(), "DAYU.4402") || !strings.Contains(err.Error(), "only one instance per enterprise project") {
		t.Errorf("second purchase into the quickstart's enterprise project: %v", err)
	}

	wantIn(t, "list before the provisioning delay", mustCLI(t, srv, "instances", "list"),
		"ID", "NAME", "EDITION", "STATUS", "EXPIRES", "AUTO-RENEW", "first", "dayu.starter", "not yet effective (1)")
	wantIn(t, "clock advance", mustCLI(t, srv, "clock", "advance", "1m"), "NOW", "60")
	list := mustCLI(t, srv, "instances", "list")
	wantIn(t, "list", list, bought.ResourceID, "second", "dayu.basic", "in effect (2)", "yes", "no")
	var envelope map[string]any
	if err := json.Unmarshal([]byte(mustCLI(t, srv, "instances", "list", "-o", "json")), &envelope); err != nil || envelope["count"] != float64(2) {
		t.Errorf("list -o json: %v %v", envelope, err)
	}
	wantIn(t, "show", mustCLI(t, srv, "instances", "show", bought.ResourceID), bought.ResourceID, "dayu.basic")
	if _, err := cli(t, context.Background(), srv, "instances", "show", "no-such-instance"); err == nil || !strings.Contains(err.Error(), "no such resource") {
		t.Errorf("show of an unknown instance: %v", err)
	}

	renewed := mustCLI(t, srv, "instances", "renew", bought.ResourceID, "--period", "2m")
	wantIn(t, "renew", renewed, "ORDER", "CS")
	wantIn(t, "orders list", mustCLI(t, srv, "orders", "list"), "ORDER", "TYPE", "STATUS", bought.OrderID)
	wantIn(t, "orders show", mustCLI(t, srv, "orders", "show", bought.OrderID), bought.OrderID)
	wantIn(t, "workspaces list", mustCLI(t, srv, "workspaces", "list", bought.ResourceID), "default", "yes")

	wantIn(t, "clock", mustCLI(t, srv, "clock"), "OFFSET-SECONDS")
	wantIn(t, "clock advance 30d", mustCLI(t, srv, "clock", "advance", "30d"), "2592060")

	wantIn(t, "faults add", mustCLI(t, srv, "faults", "add", "--operation", "ListDataArtsStudioInstances", "--count", "1", "--error-status", "503"),
		"ListDataArtsStudioInstances", "error 503")
	wantIn(t, "faults list", mustCLI(t, srv, "faults", "list"), "ListDataArtsStudioInstances", "1")
	if _, err := cli(t, context.Background(), srv, "instances", "list"); err == nil || !strings.Contains(err.Error(), "HTTP 503") {
		t.Errorf("list under a fault rule: %v", err)
	}
	mustCLI(t, srv, "faults", "add", "--operation", "PayForDgcOneKey", "--latency", "1ms")
	mustCLI(t, srv, "faults", "clear")
	if out := mustCLI(t, srv, "faults", "list"); strings.Contains(out, "PayForDgcOneKey") {
		t.Errorf("faults clear left %s", out)
	}
	wantIn(t, "requests", mustCLI(t, srv, "requests", "--operation", "PayForDgcOneKey"), "PayForDgcOneKey", "400", "DAYU.4402")
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	go func() {
		time.Sleep(700 * time.Millisecond)
		_, _ = cli(t, context.Background(), srv, "orders", "show", bought.OrderID)
	}()
	follow, err := cli(t, ctx, srv, "requests", "--follow")
	if err != nil {
		t.Fatal(err)
	}
	wantIn(t, "requests --follow", follow, "PayForDgcOneKey", "ShowCustomerOrderDetails")

	// The state: exported, reset, imported back.
	file := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(file, []byte(mustCLI(t, srv, "state", "export")), 0o600); err != nil {
		t.Fatal(err)
	}
	wantIn(t, "reset", mustCLI(t, srv, "reset"), "reset")
	if out := mustCLI(t, srv, "instances", "list"); strings.Contains(out, bought.ResourceID) {
		t.Errorf("list after reset: %s", out)
	}
	wantIn(t, "state import", mustCLI(t, srv, "state", "import", file), "imported", "2")
	wantIn(t, "list after the import", mustCLI(t, srv, "instances", "list"), bought.ResourceID, "first")

	wantIn(t, "unsubscribe", mustCLI(t, srv, "instances", "unsubscribe", bought.ResourceID), "ORDER", "CS")
	wantIn(t, "list after unsubscribe", mustCLI(t, srv, "instances", "list"), "deleting (6)")

	// Credentials by flag, as a non-dev server needs them; a wrong secret
	// is the gateway's 401.
	creds := []string{"--ak", q.AccessKey, "--project-id", q.ProjectID}
	mustCLI(t, srv, append([]string{"instances", "list", "--sk", q.SecretKey}, creds...)...)
	if _, err := cli(t, context.Background(), srv, append([]string{"instances", "list", "--sk", "wrong"}, creds...)...); err == nil || !strings.Contains(err.Error(), "APIGW.0301") {
		t.Errorf("a wrong secret key: %v", err)
	}
}

// TestCLIBinary runs the built binary against a dev server: a purchase in
// one line, and an error's code and message with a non-zero exit.
func TestCLIBinary(t *testing.T) {
	n := startNode(t, "dev", []string{"--data", t.TempDir(), "--provisioning-delay", "0s"})
	bin, err := buildBin()
	if err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, error) {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(cleanEnv(), "DAYU_ENDPOINT="+n.URL)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run("instances", "buy", "--name", "from-the-shell"); err != nil {
		t.Fatalf("buy: %v\n%s", err, out)
	}
	if out, err := run("instances", "list"); err != nil || !strings.Contains(out, "from-the-shell") || !strings.Contains(out, "in effect (2)") {
		t.Errorf("list: %v\n%s", err, out)
	}
	out, err := run("instances", "buy", "--name", "again")
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(out, "dayu: DAYU.4402: ") || !strings.Contains(out, "only one instance per enterprise project") {
		t.Errorf("a refused purchase: %v\n%s", err, out)
	}
}
