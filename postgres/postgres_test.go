package postgres_test

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/internal/pgtest"
	"github.com/dayu-emu/dayu/postgres"
	"github.com/dayu-emu/dayu/storetest"
)

// open opens a Store on dbURL, closed when the test ends.
func open(t *testing.T, dbURL string, cfg postgres.Config) dayu.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), dbURL, cfg)
	if err != nil {
		t.Fatalf("postgres.Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// withBatch is the default config with another batch bound.
func withBatch(n int) postgres.Config {
	c := postgres.DefaultConfig()
	c.BatchMax = n
	return c
}

func withConnectTimeout(d time.Duration) postgres.Config {
	c := postgres.DefaultConfig()
	c.ConnectTimeout = d
	return c
}

func TestConformance(t *testing.T) {
	pgtest.ServerURL(t)
	storetest.Run(t, func(t *testing.T) func() (dayu.Store, error) {
		dbURL := pgtest.NewDatabase(t)
		return func() (dayu.Store, error) {
			s, err := postgres.Open(context.Background(), dbURL, withBatch(32))
			if err != nil {
				return nil, err // not a typed nil in the interface
			}
			return s, nil
		}
	})
}

// TestSchema checks that the migration, several statements sent at once,
// made every table and index, and that opening again migrates nothing.
func TestSchema(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewDatabase(t)
	for range 2 {
		if err := open(t, dbURL, postgres.DefaultConfig()).Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	var got []string
	rows, err := db.QueryContext(ctx, `SELECT indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		got = append(got, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{"documents_pkey", "idempotency_keys_pkey", "instance_counts_pkey", "instances_by_domain", "instances_gone", "instances_by_order", "instances_by_parent",
		"instances_id_key", "instances_listed", "instances_one_per_eps", "instances_pkey", "orders_by_resource", "orders_pkey",
		"fault_rules_id_key", "fault_rules_pkey", "schema_migrations_pkey", "test_clocks_pkey", "timings_pkey", "token_key_pkey",
		"workspaces_by_name", "workspaces_pkey", "network_resources_by_parent", "network_resources_by_project", "network_resources_pkey"}
	sort.Strings(want)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("indexes = %v, want %v", got, want)
	}
	var versions int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&versions); err != nil || versions != 12 {
		t.Errorf("schema_migrations holds %d rows (%v), want 12", versions, err)
	}
}

// purchase builds a purchase of an instance in (project, eps) as
// dayu.Service does.
func purchase(project, eps string) (*dayu.Order, *dayu.Instance) {
	now := time.Now().UTC().Truncate(time.Millisecond)
	o := &dayu.Order{ID: "CS" + strings.ToUpper(strings.ReplaceAll(uuid.NewString(), "-", ""))[:20],
		Type: dayu.OrderNew, DomainID: "d1", ProjectID: project, CreatedAt: now, CompletedAt: now}
	i := &dayu.Instance{ID: uuid.NewString(), ProjectID: project, DomainID: "d1", OrderID: o.ID,
		Name: "node-race", RegionID: "cn-north-4", AvailabilityZone: "cn-north-4a", VpcID: "vpc", NetID: "net",
		SecurityGroupID: "sg", EpsID: eps, SpecCode: "dayu.starter", ProductID: "OFFI740586375358963717",
		PeriodType: dayu.PeriodMonth, PeriodNum: 1, CreateUser: "alice",
		CreatedAt: now, EffectiveAt: now, ExpiresAt: dayu.AddPeriod(now, dayu.PeriodMonth, 1)}
	o.ResourceID = i.ID
	return o, i
}

// TestTwoNodes opens two Stores at once on one fresh database, as two nodes
// starting together would (both migrate, one after the other, under the
// advisory lock), and races purchases for one enterprise project through
// both committers: exactly one wins.
func TestTwoNodes(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewDatabase(t)
	nodes := make([]dayu.Store, 2)
	errs := make([]error, len(nodes))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for n := range nodes {
		wg.Go(func() {
			<-start
			s, err := postgres.Open(context.Background(), dbURL, withBatch(16))
			if err == nil {
				nodes[n] = s
				t.Cleanup(func() { _ = s.Close() })
			}
			errs[n] = err
		})
	}
	close(start)
	wg.Wait()
	for n, err := range errs {
		if err != nil {
			t.Fatalf("node %d: Open: %v", n, err)
		}
	}

	const racers = 40
	ids := make([]string, racers)
	results := make([]error, racers)
	start = make(chan struct{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for k := range racers {
		o, i := purchase("p1", "eps-contested")
		ids[k] = i.ID
		wg.Go(func() {
			<-start
			results[k] = nodes[k%2].CreatePurchase(ctx, o, i)
		})
	}
	close(start)
	wg.Wait()
	winner := ""
	for k, err := range results {
		switch {
		case err == nil && winner != "":
			t.Errorf("two winners: %s and %s", winner, ids[k])
		case err == nil:
			winner = ids[k]
		case dayu.ErrorCodeOf(err) != dayu.ECONFLICT:
			t.Errorf("racer %d on node %d: %v, want success or ECONFLICT", k, k%2, err)
		}
	}
	if winner == "" {
		t.Fatal("no winner")
	}
	for n, s := range nodes {
		got, total, err := s.ListInstances(ctx, "p1", dayu.Page{Limit: 10}, time.Now())
		if err != nil || total != 1 || len(got) != 1 || got[0].ID != winner {
			t.Errorf("node %d lists %d instances (total %d, %v), want only the winner %s", n, len(got), total, err, winner)
		}
	}
}

// TestTwoNodesManyEnterpriseProjects has both nodes buy in the same many
// enterprise projects at once, one node in the reverse order of the other,
// so that their batches meet the same keys in different orders: each
// enterprise project still has exactly one winner and every loser is told
// ECONFLICT (no deadlock fails a purchase). A few rounds, as batches form
// by chance.
func TestTwoNodesManyEnterpriseProjects(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewDatabase(t)
	nodes := []dayu.Store{open(t, dbURL, withBatch(16)), open(t, dbURL, withBatch(16))}
	const rounds, eps = 4, 60
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	type attempt struct {
		node     int
		project  string
		eps      string
		err      error
		delay    time.Duration
		o        *dayu.Order
		instance *dayu.Instance
	}
	for r := range rounds {
		var attempts []*attempt
		project := fmt.Sprintf("p%d", r)
		for k := range eps {
			for n := range nodes {
				a := &attempt{node: n, project: project, eps: fmt.Sprintf("eps-%d", k)}
				a.o, a.instance = purchase(project, a.eps)
				a.delay = time.Duration(k) * 50 * time.Microsecond
				if n == 1 {
					a.delay = time.Duration(eps-k) * 50 * time.Microsecond
				}
				attempts = append(attempts, a)
			}
		}
		start := make(chan struct{})
		var wg sync.WaitGroup
		for _, a := range attempts {
			wg.Go(func() {
				<-start
				time.Sleep(a.delay)
				a.err = nodes[a.node].CreatePurchase(ctx, a.o, a.instance)
			})
		}
		began := time.Now()
		close(start)
		wg.Wait()
		t.Logf("round %d: %d purchases through two nodes in %s", r, len(attempts), time.Since(began).Round(time.Millisecond))
		wins := map[string]int{}
		for _, a := range attempts {
			switch {
			case a.err == nil:
				wins[a.eps]++
			case dayu.ErrorCodeOf(a.err) != dayu.ECONFLICT:
				t.Errorf("round %d: purchase in %s on node %d: %v, want success or ECONFLICT", r, a.eps, a.node, a.err)
			}
		}
		for k := range eps {
			if n := wins[fmt.Sprintf("eps-%d", k)]; n != 1 {
				t.Errorf("round %d: eps-%d has %d winners, want 1", r, k, n)
			}
		}
	}
}

// TestOpenUnreachable checks that Open fails within the connect timeout
// when nothing listens, and when something listens but never answers.
func TestOpenUnreachable(t *testing.T) {
	t.Parallel()
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	var held []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			c.Close()
		}
	}()

	const timeout = 500 * time.Millisecond
	for _, c := range []struct{ name, url string }{
		{"refused", "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable"},
		{"silent", "postgres://postgres@" + silent.Addr().String() + "/postgres?sslmode=disable"},
	} {
		t.Run(c.name, func(t *testing.T) {
			began := time.Now()
			s, err := postgres.Open(context.Background(), c.url, withConnectTimeout(timeout))
			took := time.Since(began)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			t.Logf("Open failed after %s: %v", took.Round(time.Millisecond), err)
			if took > timeout+time.Second {
				t.Errorf("Open took %s to fail, want within the connect timeout %s", took, timeout)
			}
		})
	}
}

// proxy forwards TCP connections to a server until frozen: then it stops
// passing bytes on, as a network that drops everything would.
type proxy struct {
	ln     net.Listener
	target string
	frozen atomic.Bool
	mu     sync.Mutex
	conns  []net.Conn
}

func startProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	go p.serve()
	t.Cleanup(func() {
		ln.Close()
		p.cut()
		p.frozen.Store(false)
	})
	return p
}

func (p *proxy) serve() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			client.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, client, server)
		p.mu.Unlock()
		go p.pipe(server, client)
		go p.pipe(client, server)
	}
}

func (p *proxy) pipe(dst, src net.Conn) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		for p.frozen.Load() {
			time.Sleep(5 * time.Millisecond)
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// cut closes every connection made so far, so that nothing held while
// frozen is ever delivered.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestOutage freezes the network between a Store and its database: a
// purchase (no caller deadline: the group commit's own bound) and a read
// (the caller's deadline) fail promptly with ETIMEOUT (the database did not
// answer; a refused connection is EUNAVAILABLE, see TestFailureClasses),
// and the store serves again once the network is back.
func TestOutage(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewDatabase(t)
	u, err := url.Parse(dbURL)
	if err != nil || u.Host == "" {
		t.Skipf("%s is not a postgres:// URL with a host: %v", pgtest.URLEnv, err)
	}
	p := startProxy(t, u.Host)
	u.Host = p.ln.Addr().String()
	const timeout = time.Second
	cfg := withConnectTimeout(timeout)
	cfg.StatementTimeout, cfg.CommitTimeout = timeout, timeout
	s := open(t, u.String(), cfg)
	o, i := purchase("p1", "eps-1")
	if err := s.CreatePurchase(context.Background(), o, i); err != nil {
		t.Fatalf("CreatePurchase before the outage: %v", err)
	}

	p.frozen.Store(true)
	o, i = purchase("p1", "eps-2")
	began := time.Now()
	err = s.CreatePurchase(context.Background(), o, i)
	took := time.Since(began)
	t.Logf("CreatePurchase during the outage: %s: %v", took.Round(time.Millisecond), err)
	if dayu.ErrorCodeOf(err) != dayu.ETIMEOUT {
		t.Errorf("CreatePurchase during the outage = %v, want ETIMEOUT", err)
	}
	if took > timeout+2*time.Second {
		t.Errorf("CreatePurchase took %s to fail, want about %s", took, timeout)
	}

	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	began = time.Now()
	_, _, err = s.ListInstances(ctx, "p1", dayu.Page{Limit: 10}, time.Now())
	took = time.Since(began)
	cancel()
	t.Logf("ListInstances during the outage: %s: %v", took.Round(time.Millisecond), err)
	// The read may have had to connect anew (the pool's connections were
	// held), and a connection that cannot be made is the unavailable class.
	if code := dayu.ErrorCodeOf(err); code != dayu.ETIMEOUT && code != dayu.EUNAVAILABLE {
		t.Errorf("ListInstances during the outage = %v, want ETIMEOUT or EUNAVAILABLE", err)
	}
	if took > timeout+2*time.Second {
		t.Errorf("ListInstances took %s to fail, want about %s", took, timeout)
	}

	// The network comes back (the connections it held are lost).
	p.cut()
	p.frozen.Store(false)
	var errs []error
	deadline := time.Now().Add(10 * time.Second)
	for {
		err = s.CreatePurchase(context.Background(), o, i) // the same purchase: it was not stored
		if err == nil || time.Now().After(deadline) {
			break
		}
		errs = append(errs, err)
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("CreatePurchase after the outage: %v", err)
	}
	if len(errs) > 0 {
		t.Logf("after the outage, %d purchase attempts failed before one succeeded; first: %v", len(errs), errs[0])
	}
	got, total, err := s.ListInstances(context.Background(), "p1", dayu.Page{Limit: 10}, time.Now())
	if err != nil || total != 2 || len(got) != 2 {
		t.Fatalf("after the outage: %d instances, total %d, %v; want 2", len(got), total, err)
	}
}

// TestFailureClasses: a server that ends the store's connections (as a
// restart or an operator does) is EUNAVAILABLE, not an internal error, and
// the store reconnects by itself.
//
// (A frozen network is ETIMEOUT: TestOutage.)
func TestFailureClasses(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewDatabase(t)
	s := open(t, dbURL, postgres.DefaultConfig())
	ctx := context.Background()
	if _, _, err := s.ListInstances(ctx, "p1", dayu.Page{Limit: 10}, time.Now()); err != nil {
		t.Fatal(err)
	}
	admin, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.ListInstances(ctx, "p1", dayu.Page{Limit: 10}, time.Now())
	if code := dayu.ErrorCodeOf(err); code != dayu.EUNAVAILABLE {
		t.Errorf("ListInstances on a terminated connection = %v (code %s), want EUNAVAILABLE", err, code)
	}
	if _, _, err := s.ListInstances(ctx, "p1", dayu.Page{Limit: 10}, time.Now()); err != nil {
		t.Errorf("ListInstances after the server came back: %v", err)
	}
}

func BenchmarkCreatePurchase(b *testing.B) {
	s, err := postgres.Open(context.Background(), pgtest.NewDatabase(b), postgres.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	storetest.BenchmarkCreatePurchase(b, s)
}

// TestConfig: Open refuses a zero or out-of-range setting, naming it, and
// runs with what it was given (--pg-writers once never reached the store).
func TestConfig(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(*postgres.Config)
		want string
	}{
		{"zero", func(c *postgres.Config) { *c = postgres.Config{} }, "batch max 0"},
		{"batch over 64", func(c *postgres.Config) { c.BatchMax = 65 }, "batch max 65"},
		{"no writers", func(c *postgres.Config) { c.Writers = 0 }, "writers 0"},
		{"writers take every connection", func(c *postgres.Config) { c.Writers, c.MaxConns = 4, 4 }, "max conns 4"},
		{"no connect timeout", func(c *postgres.Config) { c.ConnectTimeout = 0 }, "connect timeout"},
	} {
		cfg := postgres.DefaultConfig()
		c.edit(&cfg)
		// A closed port: a check that passed would show as a connect error.
		s, err := postgres.Open(context.Background(), "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable", cfg)
		if err == nil {
			s.Close()
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Open = %v, want an error naming %q", c.name, err, c.want)
		}
	}

	cfg := postgres.DefaultConfig()
	cfg.Writers, cfg.BatchMax, cfg.MaxConns = 3, 9, 5
	s, err := postgres.Open(context.Background(), pgtest.NewDatabase(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := s.Options(); got != cfg.Options {
		t.Errorf("Options() = %+v, want %+v", got, cfg.Options)
	}
}
