package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/crypto/bcrypt"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/internal/child"
	"github.com/dayu-emu/dayu/load"
	dayunode "github.com/dayu-emu/dayu/node"
	"github.com/dayu-emu/dayu/postgres"
	"github.com/dayu-emu/dayu/sqlite"
)

// benchConfig is the configuration of dayu bench.
type benchConfig struct {
	Scenario       string
	Connections    int
	Duration       time.Duration
	Store          string
	Data           string
	Target         string
	EPS            int
	Preload        int
	PreloadWorkers int
	JSON           bool
	CPUProfile     string
	ReadyTimeout   time.Duration
	ServeArgs      []string
	Generator      string
	ListSize       int
}

func benchCommand() *cobra.Command {
	var c benchConfig
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure Dayu under load, against a no-op baseline",
		Long: `Measure Dayu under load: requests/s, p50, p99 and p99.9 latency, errors by
code, start-up time and RSS, for purchases, lists (a page of 100 from a
project with 1,000 instances) and token issues. Each scenario also runs, in
the same run, against a no-op baseline (a server that only decodes the same
JSON and answers), and each figure is printed as a ratio to it, so that the
result holds on a noisy machine.

By default the bench starts Dayu itself (this binary's serve, on a free
127.0.0.1 port, on a new data directory or the given PostgreSQL database,
with a generated world that has an enterprise project for every purchase),
measures its start-up to ready twice (first start, then a restart on the
same data), and stops it at the end. With --target it loads a server you
started on the world of "dayu bench world". It only ever talks to
127.0.0.1.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return runBench(ctx, c, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&c.Scenario, "scenario", "all", "purchase, list, token or all")
	f.IntVar(&c.Connections, "connections", 64, "connections, each sending its next request when its last is answered")
	f.DurationVar(&c.Duration, "duration", 10*time.Second, "how long each load runs (against Dayu, and again against the baseline)")
	f.StringVar(&c.Store, "store", "sqlite", `Dayu's store: "sqlite" (in --data) or a postgres:// URL; give a fresh database`)
	f.StringVar(&c.Data, "data", "", "SQLite data directory (default: a new temporary one, removed at the end)")
	f.StringVar(&c.Target, "target", "", "base URL of a Dayu already running on the world of \"dayu bench world\" (127.0.0.1 only); no start-up or RSS figures then")
	f.IntVar(&c.EPS, "eps", 0, "enterprise projects in the world, one per purchase (0: 10,000 per second of --duration)")
	f.IntVar(&c.Preload, "preload", 0, "instances to store before measuring (in a project of their own, through the store directly)")
	f.IntVar(&c.PreloadWorkers, "preload-workers", 1024, "purchases at once while preloading")
	f.BoolVar(&c.JSON, "json", false, "print the report as JSON")
	f.StringVar(&c.CPUProfile, "cpuprofile", "", "run Dayu under the CPU profiler (dayu serve --cpuprofile) and write the profile of the loaded server here")
	f.DurationVar(&c.ReadyTimeout, "ready-timeout", time.Minute, "how long a start may take to be ready")
	f.StringArrayVar(&c.ServeArgs, "serve-arg", nil, "one more argument for dayu serve, for experiments (--serve-arg=--batch-max=64); repeatable")
	f.StringVar(&c.Generator, "generator", "auto", "load generator: wrk (needs wrk on the PATH), vegeta (built in), or auto (wrk when installed)")
	f.IntVar(&c.ListSize, "list-size", load.ListSize, "instances in the list scenario's project (it reads the first ten pages of 100)")
	cmd.AddCommand(benchWorldCommand(), benchNoopCommand(), benchNaivePostgresCommand())
	return cmd
}

// benchWorldCommand writes the bench world, for a server started by hand
// (--target).
func benchWorldCommand() *cobra.Command {
	var out string
	var eps int
	cmd := &cobra.Command{
		Use:   "world",
		Short: "Write the bench world file, for a server that dayu bench --target loads",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			doc, err := load.NewWorld(eps).Document(bcrypt.DefaultCost)
			if err != nil {
				return err
			}
			return os.WriteFile(out, doc, 0o644)
		},
	}
	cmd.Flags().StringVar(&out, "out", "bench-world.json", "file to write")
	cmd.Flags().IntVar(&eps, "eps", 100_000, "enterprise projects (pass the same --eps to dayu bench --target)")
	return cmd
}

// benchNoopCommand is the no-op baseline server, run by dayu bench as a
// child process of its own.
func benchNoopCommand() *cobra.Command {
	var addr string
	cmd := &cobra.Command{
		Use:    "noop",
		Short:  "Serve the no-op baseline (run by dayu bench)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return load.ServeNoop(ctx, addr)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:0", "address to listen on")
	return cmd
}

// benchNaivePostgresCommand is the naive PostgreSQL baseline server, run
// by dayu bench as a child process of its own when it measures PostgreSQL.
func benchNaivePostgresCommand() *cobra.Command {
	var addr, store string
	cmd := &cobra.Command{
		Use:    "naive-pg",
		Short:  "Serve the naive PostgreSQL purchase baseline (run by dayu bench; not part of Dayu)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return load.ServeNaivePostgres(ctx, addr, store)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:0", "address to listen on")
	cmd.Flags().StringVar(&store, "store", "", "postgres:// URL; its tables naive_orders and naive_instances are made anew")
	return cmd
}

func runBench(ctx context.Context, c benchConfig, out, logw io.Writer) (err error) {
	scenarios := load.Scenarios
	if c.Scenario != "all" {
		scenarios = nil
		for _, s := range strings.Split(c.Scenario, ",") {
			if !slices.Contains(load.Scenarios, s) {
				return fmt.Errorf("--scenario %q: must be purchase, list, token or all", s)
			}
			scenarios = append(scenarios, s)
		}
	}
	switch {
	case c.Connections < 1:
		return fmt.Errorf("--connections %d: must be at least 1", c.Connections)
	case c.Duration <= 0 || c.Duration > time.Hour:
		return fmt.Errorf("--duration %s: must be positive and at most an hour", c.Duration)
	case c.Preload < 0 || c.EPS < 0:
		return errors.New("--preload and --eps must not be negative")
	case c.ListSize < load.ListSize:
		return fmt.Errorf("--list-size %d: must be at least %d (the ten pages the scenario reads)", c.ListSize, load.ListSize)
	case c.Store != "sqlite" && !strings.HasPrefix(c.Store, "postgres://") && !strings.HasPrefix(c.Store, "postgresql://"):
		return fmt.Errorf("--store %q: must be sqlite or a postgres:// URL", c.Store)
	case c.Target != "" && (c.Preload > 0 || c.CPUProfile != "" || len(c.ServeArgs) > 0):
		return errors.New("--preload, --cpuprofile and --serve-arg need a server the bench starts: not with --target")
	}
	if c.Target != "" {
		c.Target = strings.TrimRight(c.Target, "/")
		if err := load.CheckLoopback(c.Target); err != nil {
			return err
		}
	}
	if c.EPS == 0 {
		c.EPS = max(int(c.Duration.Seconds()*10_000), c.ListSize)
	}
	if c.Generator, err = load.ChooseGenerator(c.Generator); err != nil {
		return err
	}
	say := func(format string, args ...any) { fmt.Fprintf(logw, "bench: "+format+"\n", args...) }

	bin, err := os.Executable()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "dayu-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if c.Data == "" {
		c.Data = filepath.Join(tmp, "data")
	}
	rep := &load.Report{Machine: load.ThisMachine(), Store: "sqlite", Connections: c.Connections, Duration: c.Duration, EPS: c.EPS,
		Generator: c.Generator, ListSize: c.ListSize}
	if c.Store != "sqlite" {
		rep.Store = "postgres" // the URL may hold a password
		if rep.Notes, err = load.PostgresNotes(ctx, c.Store); err != nil {
			return fmt.Errorf("--store: %w", err)
		}
		for _, n := range rep.Notes {
			say("note: %s", n)
		}
	}
	w := load.NewWorld(c.EPS)
	doc, err := w.Document(bcrypt.DefaultCost)
	if err != nil {
		return err
	}
	worldFile := filepath.Join(tmp, "world.json")
	if err := os.WriteFile(worldFile, doc, 0o644); err != nil {
		return err
	}

	base := c.Target
	var server *child.Child
	if c.Target != "" {
		rep.Store, rep.Target = "target", c.Target
	} else {
		if c.Preload > 0 {
			say("preloading %d instances (%s store, %d at once)", c.Preload, rep.Store, c.PreloadWorkers)
			start := time.Now()
			n, err := preload(ctx, c, doc, w, func(done, of int) { say("preload: %d of %d", done, of) })
			if err != nil {
				return err
			}
			rep.PreloadTime = time.Since(start)
			say("preload: %d instances stored in %s", n, rep.PreloadTime.Round(time.Second))
		}
		rep.Preloaded = c.Preload
		addr, err := child.FreeAddr()
		if err != nil {
			return err
		}
		serveArgs := func(world bool) []string {
			args := []string{"serve", "--addr", addr, "--store", c.Store, "--data", c.Data, "--log-level", "error", "--dev=false"}
			if c.CPUProfile != "" && !world {
				args = append(args, "--cpuprofile", c.CPUProfile)
			}
			if world {
				args = append(args, "--world", worldFile, "--replace-world")
			}
			return append(args, c.ServeArgs...)
		}
		say("starting dayu on %s (first start, with the world file)", addr)
		first, took, err := child.Start(ctx, child.Spec{Bin: bin, Args: serveArgs(true), Addr: addr, ReadyTimeout: c.ReadyTimeout})
		if err != nil {
			return err
		}
		rep.FirstStart = took
		if err := first.Stop(); err != nil {
			return fmt.Errorf("stopping the first start: %w: %s", err, first.Output())
		}
		say("restarting dayu on the same data")
		if server, took, err = child.Start(ctx, child.Spec{Bin: bin, Args: serveArgs(false), Addr: addr, ReadyTimeout: c.ReadyTimeout}); err != nil {
			return err
		}
		rep.Restart = took
		defer func() {
			if serr := server.Stop(); serr != nil {
				err = errors.Join(err, fmt.Errorf("dayu: %w: %s", serr, server.Output()))
			}
		}()
		sleep(ctx, time.Second) // let the start-up's garbage go before reading the idle RSS
		if m, err := load.ReadMemory(server.Pid()); err == nil {
			rep.IdleRSS = m.RSS
		}
		base = server.URL
		if rep.DevRestart, rep.DevIdleRSS, err = devReference(ctx, bin, filepath.Join(tmp, "dev"), c.ReadyTimeout); err != nil {
			return fmt.Errorf("dev world reference: %w", err)
		}
	}

	noopAddr, err := child.FreeAddr()
	if err != nil {
		return err
	}
	noop, _, err := child.Start(ctx, child.Spec{Bin: bin, Args: []string{"bench", "noop", "--addr", noopAddr}, Addr: noopAddr, ReadyTimeout: c.ReadyTimeout})
	if err != nil {
		return err
	}
	defer noop.Stop()
	var naive *child.Child
	if c.Store != "sqlite" && slices.Contains(scenarios, load.ScenarioPurchase) {
		naiveAddr, err := child.FreeAddr()
		if err != nil {
			return err
		}
		if naive, _, err = child.Start(ctx, child.Spec{Bin: bin, Args: []string{"bench", "naive-pg", "--addr", naiveAddr, "--store", c.Store},
			Addr: naiveAddr, ReadyTimeout: c.ReadyTimeout}); err != nil {
			return err
		}
		defer naive.Stop()
	}

	plan, err := load.NewPlan(ctx, w, base)
	if err != nil {
		return err
	}
	plan.ListSize = c.ListSize
	if c.Target != "" {
		if rep.Preloaded, err = plan.Count(ctx, w.PreloadProject); err != nil {
			return err
		}
	}
	for _, sc := range scenarios {
		if err := plan.Prepare(ctx, sc, c.Connections, noop.URL); err != nil {
			return err
		}
		res := load.ScenarioResult{Name: sc}
		say("%s: no-op baseline, %d connections, %s", sc, c.Connections, c.Duration)
		if res.Baseline, err = runScenario(ctx, plan, sc, noop.URL, c, tmp); err != nil {
			return err
		}
		sleep(ctx, time.Second)
		if naive != nil && sc == load.ScenarioPurchase {
			say("%s: naive PostgreSQL baseline, %d connections, %s", sc, c.Connections, c.Duration)
			s, err := runScenario(ctx, plan, sc, naive.URL, c, tmp)
			if err != nil {
				return err
			}
			res.Naive = &s
			sleep(ctx, time.Second)
		}
		say("%s: dayu, %d connections, %s", sc, c.Connections, c.Duration)
		var peak <-chan uint64
		sctx, stopSampling := context.WithCancel(ctx)
		if server != nil {
			if m, err := load.ReadMemory(server.Pid()); err == nil {
				res.RSSBefore = m.RSS
			}
			peak = load.SampleRSS(sctx, server.Pid(), 10*time.Millisecond)
		}
		res.Dayu, err = runScenario(ctx, plan, sc, base, c, tmp)
		stopSampling()
		if peak != nil {
			res.RSSPeak = <-peak
		}
		if err != nil {
			return err
		}
		rep.Scenarios = append(rep.Scenarios, res)
		sleep(ctx, time.Second)
	}
	if server != nil {
		rep.End, _ = load.ReadMemory(server.Pid())
	}
	if c.JSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			*load.Report
			Targets []load.Target `json:"targets"`
		}{rep, rep.Targets()})
	}
	rep.WriteText(out)
	return nil
}

// devReference starts a server on the dev world in a new SQLite data
// directory, then again on the same data, and returns the second start's
// time to ready and its idle RSS.
func devReference(ctx context.Context, bin, dir string, timeout time.Duration) (time.Duration, uint64, error) {
	addr, err := child.FreeAddr()
	if err != nil {
		return 0, 0, err
	}
	args := []string{"serve", "--addr", addr, "--data", dir, "--store", "sqlite", "--log-level", "error"}
	var took time.Duration
	var rss uint64
	for range 2 {
		server, t, err := child.Start(ctx, child.Spec{Bin: bin, Args: args, Addr: addr, ReadyTimeout: timeout})
		if err != nil {
			return 0, 0, err
		}
		took = t
		sleep(ctx, time.Second)
		if m, err := load.ReadMemory(server.Pid()); err == nil {
			rss = m.RSS
		}
		if err := server.Stop(); err != nil {
			return 0, 0, fmt.Errorf("%w: %s", err, server.Output())
		}
	}
	return took, rss, nil
}

// runScenario runs one scenario's load against base, with c's generator
// (wrk's request file in dir).
func runScenario(ctx context.Context, plan *load.Plan, scenario, base string, c benchConfig, dir string) (load.Summary, error) {
	next, expect, err := plan.Requests(ctx, scenario, base)
	if err != nil {
		return load.Summary{}, err
	}
	rc := load.RunConfig{BaseURL: base, Connections: c.Connections, Duration: c.Duration, Expect: expect, Next: next}
	if c.Generator == load.GeneratorWrk {
		// Purchases each need an enterprise project of their own; the
		// other scenarios repeat a few requests.
		distinct := load.ListSize
		if scenario == load.ScenarioPurchase {
			distinct = c.EPS
		}
		return load.RunWrk(ctx, rc, distinct, dir)
	}
	return load.Run(ctx, rc)
}

// preload stores c.Preload instances through the store itself, before
// Dayu starts on it: on SQLite through one store (one writer; Dayu then has
// the file to itself), on PostgreSQL through four, as four nodes would, so
// that four group commits run at once.
func preload(ctx context.Context, c benchConfig, doc []byte, w *load.World, progress func(done, of int)) (int, error) {
	file, err := dayu.ReadWorldFile(doc)
	if err != nil {
		return 0, err
	}
	var services []*dayu.Service
	nodes := 4
	if c.Store == "sqlite" {
		nodes = 1
	}
	for range nodes {
		var store dayu.Store
		var err error
		if c.Store == "sqlite" {
			store, err = sqlite.Open(ctx, c.Data, sqlite.DefaultOptions())
		} else {
			store, err = postgres.Open(ctx, c.Store, postgres.DefaultConfig())
		}
		if err != nil {
			return 0, err
		}
		// The bench serves the world it generated, whatever --data held;
		// the preload's enterprise projects are not in it (Loose).
		n, err := dayunode.New(ctx, dayunode.Config{Store: store, World: file, ReplaceWorld: true, Loose: true, Timings: dayu.DefaultTimings})
		if err != nil {
			store.Close()
			return 0, err
		}
		defer n.Close()
		services = append(services, n.Service())
	}
	return load.Preload(ctx, services, w, c.Preload, c.PreloadWorkers, progress)
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
