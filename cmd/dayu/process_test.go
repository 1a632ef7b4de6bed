package main

// Black-box tests of the real binary: each test builds nothing itself but
// runs `dayu serve` as separate processes (built once per test run), talks
// to them over HTTP on 127.0.0.1 and stops them with SIGTERM or SIGKILL.
// This file holds the shared helpers and the single-node tests.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/internal/apitest"
	"github.com/dayu-emu/dayu/internal/child"
)

// Bounds of everything a process test waits for.
const (
	readyTimeout   = 15 * time.Second // start to GET /readyz 200
	stopTimeout    = 20 * time.Second // SIGTERM to exit
	requestTimeout = 20 * time.Second // one HTTP request
)

// devAdmin is the admin API's Authorization header in dev mode.
const devAdmin = "Bearer " + devAdminToken

// The admin token of the tests' nodes on a world file (no dev mode there),
// and its Authorization header.
const (
	adminToken = "test-admin-token"
	admin      = "Bearer " + adminToken
)

var qs = dayu.DevQuickstart

// binDir holds the binary built for this test run; removed by TestMain.
var (
	binDir   string
	buildBin = sync.OnceValues(func() (string, error) {
		dir, err := os.MkdirTemp("", "dayu-bin-")
		if err != nil {
			return "", err
		}
		binDir = dir
		bin := filepath.Join(dir, "dayu")
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("go build: %v\n%s", err, out)
		}
		return bin, nil
	})
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// tail is the end of s, at most n bytes.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "...\n" + s[len(s)-n:]
}

// node is one running `dayu serve` process.
type node struct {
	t      *testing.T
	name   string
	args   []string
	env    []string
	dir    string // working directory, "" for the test's
	addr   string // host:port
	URL    string // http://addr
	proc   *child.Child
	client *http.Client
}

// startNode runs `dayu serve` with args (never --addr: a free port is
// picked) and env (on top of the test's environment without any DAYU_*
// variable), and waits until GET /readyz answers 200. The process is
// killed when the test ends, and its output is logged if the test failed.
func startNode(t *testing.T, name string, args []string, env ...string) *node {
	t.Helper()
	n, err := launch(t, name, args, env)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// launch is startNode returning an error: it may run in a goroutine (two
// nodes started at the same time). A start that fails because the port
// picked was taken meanwhile is retried on another port.
func launch(t *testing.T, name string, args, env []string) (*node, error) {
	return launchIn(t, "", name, args, env)
}

// launchIn is launch in the working directory dir.
func launchIn(t *testing.T, dir, name string, args, env []string) (*node, error) {
	bin, err := buildBin()
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		n, err := launchOnce(t, bin, dir, name, args, env)
		if err == nil || attempt == 2 || !strings.Contains(err.Error(), "address already in use") {
			return n, err
		}
	}
}

func launchOnce(t *testing.T, bin, dir, name string, args, env []string) (*node, error) {
	addr, err := child.FreeAddr()
	if err != nil {
		return nil, err
	}
	n := &node{t: t, name: name, args: args, env: env, dir: dir, addr: addr, URL: "http://" + addr}
	n.proc, _, err = child.Start(context.Background(), child.Spec{
		Bin: bin, Args: append([]string{"serve", "--addr", addr}, args...), Env: append(cleanEnv(), env...), Dir: dir,
		Addr: addr, ReadyTimeout: readyTimeout,
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	n.client = &http.Client{Timeout: requestTimeout, Transport: &http.Transport{
		Proxy:               nil,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     30 * time.Second,
	}}
	t.Cleanup(func() {
		n.kill()
		if t.Failed() {
			t.Logf("output of %s (dayu serve --addr %s %s):\n%s", n.name, addr, strings.Join(args, " "), tail(n.output(), 24<<10))
		}
	})
	return n, nil
}

// cleanEnv is the test's environment without DAYU_* variables, so that the
// environment of whoever runs the tests does not configure the nodes.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DAYU_") {
			env = append(env, kv)
		}
	}
	return env
}

// output is what the process printed.
func (n *node) output() string { return n.proc.Output() }

// running reports whether the process has not exited.
func (n *node) running() bool {
	select {
	case <-n.proc.Done():
		return false
	default:
		return true
	}
}

// stop sends SIGTERM and waits for the exit; it returns the exit code.
func (n *node) stop() int {
	n.t.Helper()
	// Close the client's idle connections first: net/http's Shutdown
	// waits up to 5 s for a connection that has not sent a request yet,
	// and the client's pool may hold one it dialed but never used.
	n.client.CloseIdleConnections()
	n.proc.Terminate()
	select {
	case <-n.proc.Done():
	case <-time.After(stopTimeout):
		n.kill()
		n.t.Fatalf("%s: still running %s after SIGTERM", n.name, stopTimeout)
	}
	n.client.CloseIdleConnections()
	return n.proc.ExitCode()
}

// kill sends SIGKILL and waits for the exit.
func (n *node) kill() {
	n.proc.Kill()
	n.client.CloseIdleConnections()
}

// restart starts a new process with the same flags and environment (on a
// new port).
func (n *node) restart() *node {
	n.t.Helper()
	if n.running() {
		n.t.Fatalf("%s: restart while running", n.name)
	}
	return startNode(n.t, n.name+"'", n.args, n.env...)
}

// reply is an HTTP answer as the tests read it.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) String() string { return fmt.Sprintf("%d %s", r.status, bytes.TrimSpace(r.body)) }

// decode decodes the body into v.
func (r reply) decode(v any) error {
	if err := json.Unmarshal(r.body, v); err != nil {
		return fmt.Errorf("body is not the JSON expected (%v): %s", err, r.body)
	}
	return nil
}

// errorCode is the error_code of an error body ("" if none).
func (r reply) errorCode() string {
	var e struct {
		ErrorCode string `json:"error_code"`
	}
	_ = json.Unmarshal(r.body, &e)
	return e.ErrorCode
}

// do sends a request; body is nil, a string, []byte or a value to encode as
// JSON; headers are name, value pairs. It returns an error only when no
// complete answer arrived (refused, reset, timed out), so it is safe in any
// goroutine.
func (n *node) do(method, path string, body any, headers ...string) (reply, error) {
	req, err := apitest.NewRequest(method, n.URL+path, body, headers...)
	if err != nil {
		return reply{}, err
	}
	resp, err := n.client.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, fmt.Errorf("%s %s: reading the answer: %w", method, path, err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// must is do that fails the test on a transport error (test goroutine only).
func (n *node) must(method, path string, body any, headers ...string) reply {
	n.t.Helper()
	r, err := n.do(method, path, body, headers...)
	if err != nil {
		n.t.Fatalf("%s: %s %s: %v", n.name, method, path, err)
	}
	return r
}

// tokenRequest is a password token request for the dev user, scoped to the
// dev project.
func tokenRequest() map[string]any {
	return map[string]any{"auth": map[string]any{
		"identity": map[string]any{
			"methods": []string{"password"},
			"password": map[string]any{"user": map[string]any{
				"name": qs.UserName, "password": qs.Password, "domain": map[string]any{"name": qs.DomainName},
			}},
		},
		"scope": map[string]any{"project": map[string]any{"id": qs.ProjectID}},
	}}
}

// token gets a token for the dev user in the dev project.
func (n *node) token() string {
	n.t.Helper()
	r := n.must("POST", "/v3/auth/tokens", tokenRequest())
	if r.status != http.StatusCreated || r.header.Get("X-Subject-Token") == "" {
		n.t.Fatalf("%s: token: %s", n.name, r)
	}
	return r.header.Get("X-Subject-Token")
}

// tag is a tag of a purchase.
type tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// purchase is what a test buys: enough to check what was stored.
type purchase struct {
	Name string
	Eps  string
	Tags []tag
}

// body is the purchase request body, in the dev project's network.
func (p purchase) body() map[string]any {
	b := map[string]any{
		"region_id": qs.RegionID, "availability_zone": qs.AvailabilityZone, "vpc_id": qs.VpcID,
		"net_id": qs.NetID, "security_group_id": qs.SecurityGroupID, "instance_name": p.Name,
		"eps_id": p.Eps, "period_type": 2, "period_num": 1, "is_auto_renew": 0,
		"resource_spec_code": qs.ResourceSpecCode,
	}
	if p.Tags != nil {
		b["tags"] = p.Tags
	}
	return b
}

// bought is a purchase's 200 body.
type bought struct {
	OrderID    string `json:"order_id"`
	ResourceID string `json:"resource_id"`
}

func purchasePath() string { return "/v1/" + qs.ProjectID + "/instances/onekey-purchase" }
func listPath() string     { return "/v1/" + qs.ProjectID + "/instances" }

// buy sends a purchase. On a 200 it returns the ids; any other complete
// answer is returned in the reply. Safe in any goroutine.
func (n *node) buy(token string, p purchase) (bought, reply, error) {
	r, err := n.do("POST", purchasePath(), p.body(), "X-Auth-Token", token)
	if err != nil || r.status != http.StatusOK {
		return bought{}, r, err
	}
	var b bought
	if err := r.decode(&b); err != nil {
		return bought{}, r, err
	}
	if b.OrderID == "" || b.ResourceID == "" {
		return b, r, fmt.Errorf("200 without ids: %s", r.body)
	}
	return b, r, nil
}

// mustBuy buys and fails the test unless the answer is a 200.
func (n *node) mustBuy(token string, p purchase) bought {
	n.t.Helper()
	b, r, err := n.buy(token, p)
	if err != nil || r.status != http.StatusOK {
		n.t.Fatalf("%s: purchase %+v: %v %s", n.name, p, err, r)
	}
	return b
}

// listItem is what the tests read of an item of the instance list.
type listItem struct {
	ResourceID   string `json:"resource_id"`
	ResourceName string `json:"resource_name"`
	EpsID        string `json:"eps_id"`
	OrderID      string `json:"order_id"`
	ProjectID    string `json:"project_id"`
	Status       int    `json:"status"`
}

// listAll reads the whole instance list, 100 at a time, and checks that
// the pages add up to the count. Pages are not one snapshot: an instance
// whose time is up between two pages leaves the count, so a read during
// which the count changed starts again (at most three times).
func (n *node) listAll(token string) []listItem {
	n.t.Helper()
	for attempt := 1; ; attempt++ {
		all, total, changed := n.listPages(token)
		switch {
		case changed && attempt < 3:
			continue
		case changed:
			n.t.Fatalf("%s: list: the count changed while paging, three times running", n.name)
		case len(all) != total:
			n.t.Fatalf("%s: list: the pages hold %d items, count says %d", n.name, len(all), total)
		}
		return all
	}
}

// listPages reads the list's pages once; changed reports that the count
// was not the same on every page.
func (n *node) listPages(token string) (all []listItem, total int, changed bool) {
	n.t.Helper()
	total = -1
	for offset := 0; ; offset += 100 {
		r := n.must("GET", fmt.Sprintf("%s?limit=100&offset=%d", listPath(), offset), nil, "X-Auth-Token", token)
		if r.status != http.StatusOK {
			n.t.Fatalf("%s: list: %s", n.name, r)
		}
		var page struct {
			Count int        `json:"count"`
			Items []listItem `json:"commodity_orders"`
		}
		if err := r.decode(&page); err != nil {
			n.t.Fatalf("%s: list: %v", n.name, err)
		}
		if total >= 0 && page.Count != total {
			return nil, 0, true
		}
		total = page.Count
		all = append(all, page.Items...)
		if len(page.Items) < 100 || len(all) >= total {
			return all, total, false
		}
	}
}

// byResource indexes a list by resource id and fails on a duplicate.
func byResource(t *testing.T, name string, items []listItem) map[string]listItem {
	t.Helper()
	m := make(map[string]listItem, len(items))
	for _, it := range items {
		if _, dup := m[it.ResourceID]; dup {
			t.Errorf("%s: resource %s listed twice", name, it.ResourceID)
		}
		m[it.ResourceID] = it
	}
	return m
}

// order is what the tests read of BSS order details.
type order struct {
	TotalCount int `json:"total_count"`
	OrderInfo  struct {
		OrderID   string `json:"order_id"`
		Status    int    `json:"status"`
		OrderType int    `json:"order_type"`
	} `json:"order_info"`
}

// orderDetails gets GET /v2/orders/customer-orders/details/{id}. Safe in
// any goroutine.
func (n *node) orderDetails(token, id string) (order, reply, error) {
	r, err := n.do("GET", "/v2/orders/customer-orders/details/"+id, nil, "X-Auth-Token", token)
	var o order
	if err == nil && r.status == http.StatusOK {
		err = r.decode(&o)
	}
	return o, r, err
}

// worldFile writes a world file: the dev world plus enterprise projects
// eps-0000 ... eps-(n-1), so that each purchase of a test can have one.
func worldFile(t *testing.T, n int) string {
	t.Helper()
	w, err := dayu.DevWorld()
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		w.Domains[0].EnterpriseProjects = append(w.Domains[0].EnterpriseProjects, dayu.EnterpriseProject{ID: eps(i), Name: eps(i)})
	}
	doc, err := w.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "world.json")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func eps(i int) string { return fmt.Sprintf("eps-%04d", i) }

// TestGracefulShutdown sends SIGTERM while purchases are in flight (their
// bodies still arriving): each gets its whole answer, the process exits 0,
// and every 200 is there after a restart.
func TestGracefulShutdown(t *testing.T) {
	data := t.TempDir()
	a := startNode(t, "A", []string{"--data", data, "--world", worldFile(t, 16)})
	token := a.token()

	// Each slow purchase is a raw connection: a GET /healthz first, whose
	// answer proves the server has accepted the connection, then the
	// purchase's headers and half its body; the other half is sent only
	// after the SIGTERM.
	const inFlight = 8
	type slow struct {
		conn net.Conn
		br   *bufio.Reader
		rest []byte
		p    purchase
	}
	var slows []*slow
	for i := range inFlight {
		p := purchase{Name: fmt.Sprintf("graceful-%d", i), Eps: eps(i), Tags: []tag{{"test", "graceful"}}}
		body, err := json.Marshal(p.body())
		if err != nil {
			t.Fatal(err)
		}
		conn, err := net.DialTimeout("tcp", a.addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
		s := &slow{conn: conn, br: bufio.NewReader(conn), p: p}
		fmt.Fprintf(conn, "GET /healthz HTTP/1.1\r\nHost: %s\r\n\r\n", a.addr)
		resp, err := http.ReadResponse(s.br, nil)
		if err != nil {
			t.Fatalf("healthz on connection %d: %v", i, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		half := len(body) / 2
		head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nX-Auth-Token: %s\r\nContent-Length: %d\r\n\r\n",
			purchasePath(), a.addr, token, len(body))
		if _, err := io.WriteString(conn, head+string(body[:half])); err != nil {
			t.Fatal(err)
		}
		s.rest = body[half:]
		slows = append(slows, s)
	}
	time.Sleep(300 * time.Millisecond) // the server reads the partial requests

	a.proc.Terminate()
	// Shutdown closes the listener first: wait for new connections to be
	// refused, so that the bodies below finish while shutting down.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", a.addr, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the listener still accepts connections 5s after SIGTERM")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !a.running() {
		t.Fatalf("exited with requests in flight: exit code %d", a.proc.ExitCode())
	}

	var acked []bought
	for i, s := range slows {
		if _, err := s.conn.Write(s.rest); err != nil {
			t.Errorf("purchase %d: sending the rest of the body after SIGTERM: %v", i, err)
			continue
		}
		resp, err := http.ReadResponse(s.br, nil)
		if err != nil {
			t.Errorf("purchase %d: no answer after SIGTERM: %v", i, err)
			continue
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Errorf("purchase %d: answer cut short: %v", i, err)
			continue
		}
		if resp.StatusCode != http.StatusOK {
			t.Errorf("purchase %d: %d %s", i, resp.StatusCode, body)
			continue
		}
		var b bought
		if err := json.Unmarshal(body, &b); err != nil || b.ResourceID == "" || b.OrderID == "" {
			t.Errorf("purchase %d: 200 with body %q (%v)", i, body, err)
			continue
		}
		acked = append(acked, b)
	}
	select {
	case <-a.proc.Done():
	case <-time.After(stopTimeout):
		t.Fatalf("still running %s after SIGTERM", stopTimeout)
	}
	if code := a.proc.ExitCode(); code != 0 {
		t.Errorf("exit code after SIGTERM = %d, want 0", code)
	}
	if !strings.Contains(a.output(), "shutting down") {
		t.Errorf("no shutdown message in the output")
	}
	if len(acked) != inFlight {
		t.Fatalf("%d of %d in-flight purchases answered 200", len(acked), inFlight)
	}

	b := a.restart()
	listed := byResource(t, b.name, b.listAll(token))
	for i, ack := range acked {
		it, ok := listed[ack.ResourceID]
		switch {
		case !ok:
			t.Errorf("purchase %d (%s) got 200 before the shutdown but is not listed after the restart", i, ack.ResourceID)
		case it.OrderID != ack.OrderID:
			t.Errorf("purchase %d: listed with order %s, answered %s", i, it.OrderID, ack.OrderID)
		}
	}
	if len(listed) != inFlight {
		t.Errorf("%d instances listed after the restart, want %d", len(listed), inFlight)
	}
	if code := b.stop(); code != 0 {
		t.Errorf("second SIGTERM: exit code %d, want 0", code)
	}
}

// TestRestartKeepsEverything: an instance and a token from before a
// restart are still good after it.
func TestRestartKeepsEverything(t *testing.T) {
	data := t.TempDir()
	a := startNode(t, "A", []string{"--data", data})
	token := a.token()
	p := purchase{Name: "restart-me", Eps: qs.EpsID, Tags: []tag{{"team", "ci"}, {"empty", ""}}}
	ack := a.mustBuy(token, p)
	before := a.listAll(token)
	if len(before) != 1 || before[0].ResourceID != ack.ResourceID {
		t.Fatalf("list before the restart: %+v, want just %s", before, ack.ResourceID)
	}
	if code := a.stop(); code != 0 {
		t.Fatalf("exit code after SIGTERM = %d, want 0", code)
	}

	b := a.restart()
	// The token issued before the restart still works: the list, the order.
	after := b.listAll(token)
	if len(after) != 1 {
		t.Fatalf("list after the restart (old token): %+v, want 1 item", after)
	}
	if after[0] != before[0] {
		// status may move 1 -> 2 with provisioning; compare the rest.
		x, y := after[0], before[0]
		x.Status, y.Status = 0, 0
		if x != y {
			t.Errorf("item after the restart = %+v, before %+v", after[0], before[0])
		}
	}
	if it := after[0]; it.ResourceName != p.Name || it.EpsID != p.Eps || it.OrderID != ack.OrderID || it.ProjectID != qs.ProjectID {
		t.Errorf("item after the restart = %+v, want name %s, eps %s, order %s", it, p.Name, p.Eps, ack.OrderID)
	}
	if o, r, err := b.orderDetails(token, ack.OrderID); err != nil || r.status != http.StatusOK || o.OrderInfo.OrderID != ack.OrderID {
		t.Errorf("order details after the restart: %v %s", err, r)
	}
	// The one-instance-per-enterprise-project rule still holds.
	_, r, err := b.buy(token, p)
	if err != nil || r.status != http.StatusBadRequest || r.errorCode() != "DAYU.4402" {
		t.Errorf("second purchase in %s after the restart: %v %s, want 400 DAYU.4402", p.Eps, err, r)
	}
	// A new token works as well, and the old one can be exchanged for one
	// (the token method).
	if got := b.listAll(b.token()); len(got) != 1 {
		t.Errorf("list with a new token: %d items", len(got))
	}
	r = b.must("POST", "/v3/auth/tokens", map[string]any{"auth": map[string]any{
		"identity": map[string]any{"methods": []string{"token"}, "token": map[string]any{"id": token}},
		"scope":    map[string]any{"project": map[string]any{"id": qs.ProjectID}},
	}})
	if r.status != http.StatusCreated {
		t.Errorf("token method with the token from before the restart: %s", r)
	}
	if code := b.stop(); code != 0 {
		t.Errorf("exit code after SIGTERM = %d, want 0", code)
	}
}

// errorList collects errors from goroutines.
type errorList struct {
	mu   sync.Mutex
	errs []error
}

func (l *errorList) add(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, fmt.Errorf(format, args...))
}

// report fails the test with the errors collected (the first 20).
func (l *errorList) report(t *testing.T) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, err := range l.errs {
		if i == 20 {
			t.Errorf("... and %d more", len(l.errs)-20)
			break
		}
		t.Error(err)
	}
}
