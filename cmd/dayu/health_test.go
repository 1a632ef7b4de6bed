package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/dayu-emu/dayu/internal/child"
)

// health runs `dayu health` with args and env, returning its exit code and
// what it printed.
func health(t *testing.T, env []string, args ...string) (int, string) {
	t.Helper()
	bin, err := buildBin()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"health"}, args...)...)
	cmd.Env = append(cleanEnv(), env...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &exit):
		return exit.ExitCode(), string(out)
	}
	t.Fatalf("dayu health: %v\n%s", err, out)
	return 0, ""
}

// TestHealth: dayu health, the container's health check, exits 0 against
// a ready server (found by --endpoint or DAYU_ENDPOINT) and 1, saying so,
// where nothing listens.
func TestHealth(t *testing.T) {
	n := startNode(t, "node", []string{"--ephemeral"})
	if code, out := health(t, nil, "--endpoint", n.URL); code != 0 || !strings.Contains(out, "ready") {
		t.Errorf("dayu health --endpoint %s: exit %d: %s", n.URL, code, out)
	}
	if code, out := health(t, []string{"DAYU_ENDPOINT=" + n.URL + "/"}); code != 0 {
		t.Errorf("DAYU_ENDPOINT=%s/ dayu health: exit %d: %s", n.URL, code, out)
	}
	closed, err := child.FreeAddr() // free: nothing listens there
	if err != nil {
		t.Fatal(err)
	}
	if code, out := health(t, nil, "--endpoint", "http://"+closed, "--timeout", "2s"); code != 1 || !strings.Contains(out, "not ready") {
		t.Errorf("dayu health against the closed port %s: exit %d: %s, want 1 and why", closed, code, out)
	}
}

// TestMetricsAddr: --metrics-addr serves the metrics without
// authentication, while the main listener asks for the admin token outside
// dev mode; --metrics=false serves none.
func TestMetricsAddr(t *testing.T) {
	maddr, err := child.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	n := startNode(t, "node", []string{"--ephemeral", "--world", worldFile(t, 1), "--admin-token", adminToken, "--metrics-addr", maddr})
	tok := n.token()
	n.mustBuy(tok, purchase{Name: "watched", Eps: eps(0)})
	get := func(url string, headers ...string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", url, nil)
		for k := 0; k+1 < len(headers); k += 2 {
			req.Header.Set(headers[k], headers[k+1])
		}
		resp, err := n.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	const bought = `dayu_requests_total{operation="PayForDgcOneKey",status="200"} 1`
	if status, body := get("http://" + maddr + "/metrics"); status != 200 || !strings.Contains(body, bought) {
		t.Errorf("--metrics-addr /metrics without a token: %d, want 200 with %s:\n%s", status, bought, tail(body, 2000))
	}
	if status, _ := get(n.URL + "/metrics"); status != http.StatusUnauthorized {
		t.Errorf("main listener /metrics without a token: %d, want 401", status)
	}
	if status, body := get(n.URL+"/metrics", "Authorization", admin); status != 200 || !strings.Contains(body, bought) {
		t.Errorf("main listener /metrics with the admin token: %d", status)
	}

	off := startNode(t, "off", []string{"--ephemeral", "--metrics=false"})
	if status, body := get(off.URL + "/metrics"); status != http.StatusNotFound || bytes.Contains([]byte(body), []byte("dayu_")) {
		t.Errorf("--metrics=false: /metrics %d %s, want 404", status, tail(body, 500))
	}
}
