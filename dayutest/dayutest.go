// Package dayutest runs Dayu inside a Go test: an emulator of Huawei Cloud
// DataArts Studio's instance-ordering API (with the IAM and BSS calls that
// go with it) on a loopback port, on an in-memory store, stopped when the
// test ends. Point the official SDKs or your own client at URL.
//
//	srv := dayutest.New(t)
//	creds := basic.NewCredentialsBuilder().WithAk(srv.Quickstart.AccessKey).
//		WithSk(srv.Quickstart.SecretKey).WithProjectId(srv.Quickstart.ProjectID).Build()
//	client := dataartsstudio.NewDataArtsStudioClient(dataartsstudio.DataArtsStudioClientBuilder().
//		WithEndpoints([]string{srv.URL}).WithCredential(creds).Build())
//
// It is the same Dayu as dayu serve (package node builds both), in dev
// mode on the dev world unless WithWorld gives another. WithState starts it
// from a saved state document (a fixture; Server.State makes one).
package dayutest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/dayu-emu/dayu"
	dayuhttp "github.com/dayu-emu/dayu/http"
	"github.com/dayu-emu/dayu/node"
	"github.com/dayu-emu/dayu/sqlite"
)

// Server is a Dayu running for one test.
type Server struct {
	// URL is where it serves every API, e.g. http://127.0.0.1:41234: the
	// endpoint to give each SDK client (DataArts Studio, BSS, IAM).
	URL string
	// Quickstart is the dev world's credentials and ids: the zero value
	// when WithWorld gave another world.
	Quickstart dayu.Quickstart
	// AdminToken is the bearer token of the admin API (/_dayu/).
	AdminToken string

	t    testing.TB
	node *node.Node
}

// config is what the options set.
type config struct {
	world   []byte
	timings dayu.Timings
	seed    uint64
	logger  *slog.Logger
	state   []byte
}

// Option changes how New starts Dayu.
type Option func(*config)

// WithWorld serves the world of a world document (the JSON of dayu serve
// --world; see examples/world.json) instead of the dev world.
func WithWorld(doc []byte) Option { return func(c *config) { c.world = doc } }

// WithTimings sets the lifecycle's delays. The default is dayu serve's:
// three seconds to provision and to delete, 15 days of grace and of
// retention. Move the clock (Advance) to pass them.
func WithTimings(t dayu.Timings) Option { return func(c *config) { c.timings = t } }

// WithFaultSeed makes the fault rules' probability draws repeatable.
func WithFaultSeed(seed uint64) Option { return func(c *config) { c.seed = seed } }

// WithState starts Dayu from a saved state document (what GET
// /_dayu/state answers, Server.State, or dayu state export writes): a
// fixture, so that a suite starts from the orders, instances, workspaces,
// clocks and fault rules it needs without buying them first. The document
// must be of the world the server serves (the dev world, or WithWorld's).
func WithState(doc []byte) Option { return func(c *config) { c.state = doc } }

// WithLogger receives Dayu's request log (by default it is discarded).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// adminToken is the admin API's token in every dayutest server.
const adminToken = "dayutest-admin-token"

// New starts Dayu for the test t and stops it when the test ends. It
// fails the test if Dayu cannot start.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	c := config{timings: dayu.DefaultTimings, logger: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(&c)
	}
	ctx := context.Background()
	store, err := sqlite.OpenMemory(ctx, sqlite.DefaultOptions())
	if err != nil {
		t.Fatalf("dayutest: %v", err)
	}
	nc := node.Config{Store: store, Dev: node.DevOn, AdminToken: adminToken, MovableClock: true,
		Timings: c.timings, JournalSize: 1000, FaultSeed: c.seed, Logger: c.logger}
	if c.world != nil {
		if nc.World, err = dayu.ReadWorldFile(c.world); err != nil {
			store.Close()
			t.Fatalf("dayutest: WithWorld: %v", err)
		}
		nc.Dev = node.DevOff
	}
	n, err := node.New(ctx, nc)
	if err != nil {
		store.Close()
		t.Fatalf("dayutest: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		n.Close()
		t.Fatalf("dayutest: %v", err)
	}
	sctx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() {
		served <- dayuhttp.Serve(sctx, ln, n.Handler(), c.logger, dayuhttp.Timeouts{Shutdown: 5 * time.Second})
	}()
	s := &Server{URL: "http://" + ln.Addr().String(), AdminToken: adminToken, t: t, node: n}
	if n.Dev() {
		s.Quickstart = dayu.DevQuickstart
	}
	t.Cleanup(func() {
		stop()
		if err := <-served; err != nil {
			t.Errorf("dayutest: serving: %v", err)
		}
		if err := n.Close(); err != nil {
			t.Errorf("dayutest: closing: %v", err)
		}
	})
	if c.state != nil {
		s.admin("PUT", "/_dayu/state", json.RawMessage(c.state), nil)
	}
	return s
}

// State is Dayu's whole state as a document, for WithState: save it as a
// fixture (testdata/state.json) once a test has set it up.
func (s *Server) State() []byte {
	s.t.Helper()
	var doc json.RawMessage
	s.admin("GET", "/_dayu/state", nil, &doc)
	return doc
}

// World is the world Dayu serves.
func (s *Server) World() *dayu.World { return s.node.World() }

// Now is Dayu's time.
func (s *Server) Now() time.Time { return s.node.Clock().Now() }

// Advance moves Dayu's clock d ahead: renewals, expiries and deletions in
// the skipped time all happen at once. Tokens are issued and expire by
// this clock; AK/SK signatures are checked against the wall clock.
func (s *Server) Advance(d time.Duration) {
	s.t.Helper()
	s.admin("POST", "/_dayu/clock", map[string]any{"advance_seconds": d.Seconds()}, nil)
}

// Fault is a fault rule, as POST /_dayu/faults takes it (see the README's
// "Testing your automation"): Operation is an operation as the official V3
// SDK names it (PayForDgcOneKey, ...) or "*".
type Fault struct {
	Operation        string      `json:"operation"`
	ProjectID        string      `json:"project_id,omitempty"`
	Probability      float64     `json:"probability,omitempty"` // 0: 1
	Count            int         `json:"count,omitempty"`       // 0: no limit
	LatencyMS        int         `json:"latency_ms,omitempty"`
	Error            *FaultError `json:"error,omitempty"`
	DropConnection   bool        `json:"drop_connection,omitempty"`
	LoseResponse     bool        `json:"lose_response,omitempty"`
	ExpiresInSeconds float64     `json:"expires_in_seconds,omitempty"`
}

// FaultError is the answer of a fault rule's error action.
type FaultError struct {
	Status    int    `json:"status"`
	ErrorCode string `json:"error_code,omitempty"`
	ErrorMsg  string `json:"error_msg,omitempty"`
}

// AddFault adds a fault rule and returns its id; the test fails if Dayu
// refuses it.
func (s *Server) AddFault(f Fault) string {
	s.t.Helper()
	var out struct {
		ID string `json:"id"`
	}
	s.admin("POST", "/_dayu/faults", f, &out)
	return out.ID
}

// ClearFaults removes every fault rule.
func (s *Server) ClearFaults() {
	s.t.Helper()
	s.admin("DELETE", "/_dayu/faults", nil, nil)
}

// Reset deletes every order, instance and fault rule; the world stays.
func (s *Server) Reset() {
	s.t.Helper()
	s.admin("POST", "/_dayu/reset", nil, nil)
}

// admin calls the admin API, as a user of dayu serve would, and decodes
// the answer into out (unless nil); anything but a 2xx fails the test.
func (s *Server) admin(method, path string, body, out any) {
	s.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			s.t.Fatalf("dayutest: %v", err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL+path, r)
	if err != nil {
		s.t.Fatalf("dayutest: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+s.AdminToken)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("dayutest: %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		s.t.Fatalf("dayutest: %s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			s.t.Fatalf("dayutest: %s %s: %v", method, path, fmt.Errorf("decoding %s: %w", b, err))
		}
	}
}
