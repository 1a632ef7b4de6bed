package http_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dayu-emu/dayu"
	dayuhttp "github.com/dayu-emu/dayu/http"
	"github.com/dayu-emu/dayu/internal/apitest"
	"github.com/dayu-emu/dayu/internal/pgtest"
	"github.com/dayu-emu/dayu/node"
	"github.com/dayu-emu/dayu/postgres"
	"github.com/dayu-emu/dayu/sqlite"
	"github.com/dayu-emu/dayu/sqlstore"
)

// q is the dev world every test server runs on, plus extra enterprise
// projects (testEPS) so that each purchase can have one of its own.
var q = dayu.DevQuickstart

const otherProject = "fedcba9876543210fedcba9876543210" // the dev world's cn-south-1

const adminToken = "test-admin-token"

func testEPS(n int) string { return fmt.Sprintf("eps-%03d", n) }

// testWorld is the dev world with 200 more enterprise projects, as a
// world document (made once: hashing the password is slow on purpose).
var testWorld = sync.OnceValues(func() ([]byte, error) {
	w, err := dayu.DevWorld()
	if err != nil {
		return nil, err
	}
	// The key the Terraform provider's captured requests were signed with.
	w.Domains[0].Users[0].AccessKeys = append(w.Domains[0].Users[0].AccessKeys, dayu.AccessKey{Access: "AK", Secret: "SK"})
	for n := range 200 {
		w.Domains[0].EnterpriseProjects = append(w.Domains[0].EnterpriseProjects, dayu.EnterpriseProject{ID: testEPS(n), Name: testEPS(n)})
	}
	w.Domains = append(w.Domains, otherTenant(w.Domains[0].Users[0].PasswordHash))
	return w.Marshal()
})

// The other tenant: another domain, with a project of its own and the
// enterprise projects of the same ids as the dev domain's.
const (
	otherDomainID  = "0ther0d0ma1n0000000000000000000a"
	otherProjectID = "0ther0pr0ject000000000000000000b"
	otherAK        = "OTHERTENANTACCESSKEY"
	otherSK        = "otherTenantSecretKey000000000000000000001"
)

func otherTenant(passwordHash string) *dayu.Domain {
	return &dayu.Domain{ID: otherDomainID, Name: "other-tenant",
		Users: []*dayu.User{{ID: "0ther0user000000000000000000000c", Name: "mallory", PasswordHash: passwordHash,
			AccessKeys: []dayu.AccessKey{{Access: otherAK, Secret: otherSK}}}},
		Projects: []*dayu.Project{{ID: otherProjectID, Name: "cn-north-4", RegionID: q.RegionID,
			VPCs: []dayu.VPC{{ID: q.VpcID, Subnets: []string{q.NetID}}}, SecurityGroups: []string{q.SecurityGroupID}}},
		EnterpriseProjects: []dayu.EnterpriseProject{{ID: testEPS(0), Name: "theirs"}},
	}
}

// server is a real Dayu (node.New, as dayu serve builds it) on a real
// listener (dayuhttp.Serve, with dayu serve's settings) and a fresh store.
type server struct {
	t      *testing.T
	URL    string
	clock  *dayu.OffsetClock
	node   *node.Node
	store  dayu.Store // the node's
	stop   func()
	client *http.Client
}

// option changes the node's configuration before it is built.
type option func(*node.Config)

func loose(c *node.Config) { c.Loose = true }

// devWorld serves the dev world itself, in dev mode, instead of the test
// world.
func devWorld(c *node.Config) { c.World, c.Dev = nil, node.DevOn }

// wrapStore puts a wrapper around the node's store.
func wrapStore(wrap func(dayu.Store) dayu.Store) option {
	return func(c *node.Config) { c.Store = wrap(c.Store) }
}

// newServer starts a server on a fresh store in a new directory.
func newServer(t *testing.T, opts ...option) *server {
	return startServer(t, newLocation(t), &dayu.OffsetClock{}, opts...)
}

// storeEnv picks the store the black-box suite runs on: SQLite by default,
// PostgreSQL (a fresh database per server, on the pgtest server) when set
// to "postgres". .ci/run runs the suite both ways.
const storeEnv = "DAYU_TEST_HTTP_STORE"

// newLocation makes an empty place for a store: a directory, or a database.
func newLocation(t *testing.T) string {
	if os.Getenv(storeEnv) == "postgres" {
		return pgtest.NewDatabase(t)
	}
	return t.TempDir()
}

// openStore opens the store at a location made by newLocation.
func openStore(ctx context.Context, location string) (dayu.Store, error) {
	if os.Getenv(storeEnv) == "postgres" {
		return postgres.Open(ctx, location, postgres.DefaultConfig())
	}
	return sqlite.Open(ctx, location, sqlstore.Options{BatchMax: 64, Writers: 1})
}

// startServer starts a server on the store at location; the server stops
// when the test ends (or at s.stop).
func startServer(t *testing.T, location string, clock *dayu.OffsetClock, opts ...option) *server {
	t.Helper()
	ctx := context.Background()
	store, err := openStore(ctx, location)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := testWorld()
	if err != nil {
		t.Fatal(err)
	}
	file, err := dayu.ReadWorldFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := node.Config{
		Store: store, World: file, AdminToken: adminToken, Clock: clock, MovableClock: true, SigningClock: clock, JournalSize: 1000, FaultSeed: 1,
		PublicURL: "http://" + ln.Addr().String(),
		// Instant provisioning unless a test sets timings of its own.
		Timings: dayu.Timings{Grace: 10 * 24 * time.Hour, Retention: 20 * 24 * time.Hour},
	}
	for _, o := range opts {
		o(&c)
	}
	n, err := node.New(ctx, c)
	if err != nil {
		store.Close()
		ln.Close()
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() {
		served <- dayuhttp.Serve(sctx, ln, n.Handler(), slog.New(slog.DiscardHandler), dayuhttp.Timeouts{Shutdown: 5 * time.Second})
	}()
	s := &server{t: t, URL: "http://" + ln.Addr().String(), clock: clock, node: n, store: c.Store,
		client: &http.Client{Transport: apitest.Transport(t, nil)}}
	var once sync.Once
	s.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-served; err != nil {
				t.Errorf("serve: %v", err)
			}
			if err := n.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
		})
	}
	t.Cleanup(s.stop)
	return s
}

// response is an answer as a test reads it.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.body)
	}
	return v
}

// do sends a request; body may be a string, []byte or a value to encode.
func (s *server) do(method, path string, body any, headers ...string) response {
	s.t.Helper()
	req, err := apitest.NewRequest(method, s.URL+path, body, headers...)
	if err != nil {
		s.t.Fatal(err)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// passwordAuth is a token request body for the dev user.
func passwordAuth(scope map[string]any) map[string]any {
	a := map[string]any{"identity": map[string]any{
		"methods":  []string{"password"},
		"password": map[string]any{"user": map[string]any{"name": q.UserName, "password": q.Password, "domain": map[string]any{"name": q.DomainName}}},
	}}
	if scope != nil {
		a["scope"] = scope
	}
	return map[string]any{"auth": a}
}

func projectScope(id string) map[string]any {
	return map[string]any{"project": map[string]any{"id": id}}
}

// token gets a token scoped to project.
func (s *server) token(project string) string {
	s.t.Helper()
	r := s.do("POST", "/v3/auth/tokens", passwordAuth(projectScope(project)))
	if r.status != http.StatusCreated {
		s.t.Fatalf("token: %d %s", r.status, r.body)
	}
	return r.header.Get("X-Subject-Token")
}

// purchaseBody is a valid purchase in the dev project and enterprise
// project eps.
func purchaseBody(eps string) map[string]any {
	return map[string]any{
		"region_id": q.RegionID, "availability_zone": q.AvailabilityZone, "vpc_id": q.VpcID,
		"net_id": q.NetID, "security_group_id": q.SecurityGroupID, "instance_name": "dgc-test",
		"eps_id": eps, "period_type": 2, "period_num": 1, "is_auto_renew": 0,
		"resource_spec_code": q.ResourceSpecCode,
	}
}

func purchasePath(project string) string { return "/v1/" + project + "/instances/onekey-purchase" }
func listPath(project string) string     { return "/v1/" + project + "/instances" }

// list returns the project's list envelope.
func (s *server) list(token, project, query string) map[string]any {
	s.t.Helper()
	r := s.do("GET", listPath(project)+query, nil, "X-Auth-Token", token)
	if r.status != http.StatusOK {
		s.t.Fatalf("list: %d %s", r.status, r.body)
	}
	return r.json(s.t)
}

// count is the number of instances the project's list reports.
func (s *server) count(token, project string) int {
	s.t.Helper()
	return int(s.list(token, project, "")["count"].(float64))
}

// wantError checks an error answer's status and error_code, and that the
// message mentions want.
func wantError(t *testing.T, r response, status int, code, want string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d: %s", r.status, status, r.body)
	}
	body := r.json(t)
	if body["error_code"] != code {
		t.Errorf("error_code = %v, want %s: %s", body["error_code"], code, r.body)
	}
	msg, _ := body["error_msg"].(string)
	if !strings.Contains(msg, want) {
		t.Errorf("error_msg = %q, want it to mention %q", msg, want)
	}
	if r.header.Get("X-Request-Id") == "" {
		t.Error("no X-Request-Id header")
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
