// Package node builds one running Dayu from one Config: the domain's
// Service on a store, the authority, the admin API and the HTTP handler,
// and the loop that follows what other nodes of the same store change. It
// is the one wiring: dayu serve, the project's own tests, the bench and
// package dayutest all start Dayu through New, so that a test never runs
// another Dayu than production does.
package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/auth"
	dayuhttp "github.com/dayu-emu/dayu/http"
	"github.com/dayu-emu/dayu/intercept"
	"github.com/dayu-emu/dayu/metrics"
)

// DevMode says whether the node publishes the dev world's credentials.
type DevMode int

// The dev modes.
const (
	// DevAuto is dev mode exactly when the store holds the dev world.
	DevAuto DevMode = iota
	// DevOn insists on dev mode: refused over any other world.
	DevOn
	// DevOff never publishes the dev credentials.
	DevOff
)

// DevAdminToken is the admin token of dev mode when none is configured:
// fixed, like every dev credential, so that the README's commands work.
const DevAdminToken = "dayu-dev-admin-token"

// Config is everything a node is built from. New checks it.
type Config struct {
	// Store is the open store; the node closes it at Close.
	Store dayu.Store
	// World is the world file to serve; nil serves the stored world, or
	// makes the dev world on a new store. ReplaceWorld replaces a stored
	// world that differs.
	World        *dayu.WorldFile
	ReplaceWorld bool
	Dev          DevMode
	// AdminToken turns the admin API on; dev mode defaults it to
	// DevAdminToken.
	AdminToken string
	// Timings are the default lifecycle timings, until the admin API
	// stores others.
	Timings dayu.Timings
	// Clock is the server's clock; nil makes one, on the wall clock's time
	// or, if it is movable, on the time stored.
	Clock dayu.MovableClock
	// MovableClock lets the admin API move the server's clock ahead
	// (POST /_dayu/clock), and stores where it moved; dev mode always has
	// it.
	MovableClock bool
	// SigningClock is what AK/SK signatures are checked against; nil is the
	// wall clock (clients sign with theirs). Tests replaying captured
	// requests set it to the capture's time.
	SigningClock dayu.Clock
	// Loose skips the checks of a purchase's references against the world.
	Loose bool
	// PublicURL is where clients reach the node, listed in the tokens'
	// catalog.
	PublicURL string
	// RequestTimeout bounds each API request's wait for the store (0: none).
	RequestTimeout time.Duration
	// RateLimit and RateBurst throttle each client address (0: off).
	RateLimit float64
	RateBurst int
	// JournalSize is how many requests the request journal keeps; 0 keeps
	// none (and turns GET /_dayu/requests off).
	JournalSize int
	// FaultSeed makes the fault rules' probability draws repeatable; 0
	// draws a random seed.
	FaultSeed uint64
	// Intercept makes the node an HTTPS proxy for the Clouds' host names
	// (package intercept), with a CA kept in the store.
	Intercept bool
	// Clouds are the domains intercepted besides intercept.DefaultCloud.
	Clouds []string
	// NoMetrics turns the metrics off: nothing is counted and /metrics is
	// not served (the bench compares the two).
	NoMetrics bool
	// Logger receives the request log; nil discards it.
	Logger *slog.Logger
}

// ErrNotDevWorld refuses DevOn over a world from a world file: there are no
// dev credentials to publish.
var ErrNotDevWorld = errors.New("the store holds a world loaded from a world file, not the dev world")

// FollowEvery is how often a node reads what the admin API of another node
// of the same store changed.
const FollowEvery = 2 * time.Second

// Node is one running Dayu.
type Node struct {
	service *dayu.Service
	world   *dayu.World
	clock   dayu.MovableClock
	clocks  *dayu.Clocks
	movable bool
	dev     bool
	admin   string
	handler http.Handler
	metrics *metrics.Metrics
	store   dayu.Store
	timings *dayu.TimingsBook
	faults  *dayu.FaultBook
	log     *slog.Logger
	stop    context.CancelFunc
	done    sync.WaitGroup
	closed  sync.Once
}

// New builds a node from c and starts following the store. On an error it
// leaves c.Store open: the caller opened it.
func New(ctx context.Context, c Config) (*Node, error) {
	if c.Store == nil {
		return nil, errors.New("node: no store")
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	world, err := dayu.EnsureWorld(ctx, c.Store, c.World, c.ReplaceWorld)
	if err != nil {
		return nil, err
	}
	// Dev mode is a property of the stored world: its credentials are
	// published, so it is on only where they are the dev world's.
	dev := world.IsDev()
	switch {
	case c.Dev == DevOn && !dev:
		return nil, fmt.Errorf("%w: world %s", ErrNotDevWorld, world.Digest())
	case c.Dev == DevOff:
		dev = false
	}
	if dev && c.AdminToken == "" {
		c.AdminToken = DevAdminToken
	}
	movable := c.MovableClock || dev
	clock := c.Clock
	switch {
	case clock == nil && movable:
		if clock, err = dayu.LoadOffsetClock(ctx, c.Store); err != nil {
			return nil, err
		}
	case clock == nil:
		clock = &dayu.OffsetClock{}
	}
	clocks, err := dayu.LoadClocks(ctx, c.Store, clock)
	if err != nil {
		return nil, err
	}
	timings, err := dayu.LoadTimings(ctx, c.Store, c.Timings)
	if err != nil {
		return nil, err
	}
	authority, err := auth.Open(ctx, world, clocks, c.Store)
	if err != nil {
		return nil, err
	}
	if c.SigningClock != nil {
		authority.SigningClock = c.SigningClock
	}
	faults, err := dayu.LoadFaults(ctx, c.Store, c.FaultSeed)
	if err != nil {
		return nil, err
	}
	n := &Node{
		service: &dayu.Service{Store: c.Store, Clocks: clocks, World: world, Loose: c.Loose, Timings: timings},
		world:   world, clock: clock, clocks: clocks, movable: movable, dev: dev, admin: c.AdminToken, store: c.Store, log: c.Logger,
		timings: timings, faults: faults,
	}
	srv := &dayuhttp.Server{
		Service: n.service, Auth: authority, Logger: c.Logger, PublicURL: c.PublicURL,
		RequestTimeout: c.RequestTimeout, RateLimit: c.RateLimit, RateBurst: c.RateBurst,
		Faults: faults, Clocks: clocks,
	}
	if c.JournalSize > 0 {
		srv.Journal = dayuhttp.NewJournal(c.JournalSize)
	}
	if !c.NoMetrics {
		mc := metrics.Config{Store: c.Store, Clock: clock, Logger: c.Logger}
		if srv.Journal != nil {
			mc.JournalLen = srv.Journal.Len
		}
		n.metrics = metrics.New(mc)
		srv.Metrics, srv.OpenMetrics = n.metrics, dev
		authority.OnFailure = n.metrics.AuthFailed
	}
	if c.AdminToken != "" {
		srv.Admin = &dayuhttp.Admin{Token: c.AdminToken, State: stateBook{n}}
		if movable {
			srv.Admin.Clock = clock
			srv.Admin.SaveClock = func(ctx context.Context, d time.Duration) error { return dayu.SaveClockOffset(ctx, c.Store, d) }
		}
	}
	if dev {
		q := dayu.DevQuickstart
		srv.Quickstart = &q
	}
	if c.Intercept {
		ca, err := intercept.LoadCA(ctx, c.Store)
		if err != nil {
			return nil, err
		}
		srv.CAPEM = ca.PEM()
		h := srv.Handler()
		proxy := &intercept.Proxy{CA: ca, Clouds: append([]string{intercept.DefaultCloud}, c.Clouds...), Handler: h,
			ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
		n.handler = proxy.Wrap(h)
	} else {
		n.handler = srv.Handler()
	}
	fctx, stop := context.WithCancel(context.Background())
	n.stop = stop
	n.done.Go(func() { n.follow(fctx) })
	return n, nil
}

// Handler is the node's HTTP handler: the API, the admin API and the health
// checks.
func (n *Node) Handler() http.Handler { return n.handler }

// Metrics serves the node's metrics in the Prometheus text format, with no
// authentication (for a listener of their own); nil when they are off.
func (n *Node) Metrics() http.Handler {
	if n.metrics == nil {
		return nil
	}
	return n.metrics.Handler()
}

// Service is the node's domain service.
func (n *Node) Service() *dayu.Service { return n.service }

// World is the world the node serves.
func (n *Node) World() *dayu.World { return n.world }

// Clock is the node's server clock.
func (n *Node) Clock() dayu.MovableClock { return n.clock }

// Dev reports whether the node is in dev mode.
func (n *Node) Dev() bool { return n.dev }

// AdminToken is the admin API's bearer token, "" when it is off.
func (n *Node) AdminToken() string { return n.admin }

// Close stops following the store and closes it; in-flight requests must
// have ended (dayuhttp.Serve returns after they have).
func (n *Node) Close() error {
	var err error
	n.closed.Do(func() {
		n.stop()
		n.done.Wait()
		err = n.store.Close()
	})
	return err
}

// follow keeps this node's lifecycle timings, fault rules, test clocks and
// dev clock in step with the store, where the admin API of any node writes
// them.
func (n *Node) follow(ctx context.Context) {
	tick := time.NewTicker(FollowEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if err := n.reload(ctx); err != nil && ctx.Err() == nil {
			n.log.Warn("reading the admin settings from the store", "err", err)
		}
	}
}

// reload reads the admin settings (timings, fault rules, test clocks, the
// dev clock) back from the store.
func (n *Node) reload(ctx context.Context) error {
	err := errors.Join(n.timings.Reload(ctx), n.faults.Reload(ctx), n.clocks.Reload(ctx))
	if n.movable && err == nil {
		err = n.clock.Reload(ctx, n.store)
	}
	return err
}

// stateBook is the node's /_dayu/state. The world is the node's own,
// loaded at its start: an import must hold the same world, and keeps the
// stored one (see dayu.ImportState). After an import the node reloads its
// settings at once; other nodes of the store follow within FollowEvery.
type stateBook struct{ n *Node }

// Export reads the state, with the dev clock as stored.
func (b stateBook) Export(ctx context.Context) (*dayu.State, error) {
	if err := b.n.reload(ctx); err != nil {
		return nil, err
	}
	return dayu.ExportState(ctx, b.n.store, b.n.world, b.n.clock.Offset(), b.n.clock.Now())
}

// Import replaces the state and reloads the node's settings.
func (b stateBook) Import(ctx context.Context, st *dayu.State) error {
	n := b.n
	if n.movable {
		if err := n.clock.Reload(ctx, n.store); err != nil {
			return err
		}
	}
	if err := dayu.ImportState(ctx, n.store, n.world, st, n.clock.Offset(), n.movable); err != nil {
		return err
	}
	if n.movable {
		n.clock.MoveTo(st.ClockOffset)
	}
	return n.reload(ctx)
}
