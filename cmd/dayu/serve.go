package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/dayu-emu/dayu"
	dayuhttp "github.com/dayu-emu/dayu/http"
	dayunode "github.com/dayu-emu/dayu/node"
	"github.com/dayu-emu/dayu/postgres"
	"github.com/dayu-emu/dayu/sqlite"
)

var logLevels = map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}

func serveCommand() *cobra.Command {
	var c Config
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the API",
		Long:  "Serve the DataArts Studio, IAM and BSS endpoints. Every flag can also be set as DAYU_<FLAG> (for example DAYU_ADDR).",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := c.load(cmd.Flags()); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return serve(ctx, c, cmd.OutOrStdout())
		},
	}
	c.bind(cmd.Flags())
	return cmd
}

// serve runs the server until ctx ends, then shuts down gracefully:
// in-flight requests finish, then the store closes.
func serve(ctx context.Context, c Config, out io.Writer) (err error) {
	// The world file is read and checked before the store is opened, so
	// that a mistake in it leaves no new, empty store behind.
	var file *dayu.WorldFile
	if c.WorldFile != "" {
		doc, err := os.ReadFile(c.WorldFile)
		if err != nil {
			return fmt.Errorf("--world: %w", err)
		}
		if file, err = dayu.ReadWorldFile(doc); err != nil {
			return fmt.Errorf("--world %s: %w", c.WorldFile, err)
		}
	}
	if c.CPUProfile != "" {
		stop, err := startCPUProfile(c.CPUProfile)
		if err != nil {
			return err
		}
		defer func() { err = errors.Join(err, stop()) }()
	}
	log := newLogger(c, out)
	store, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	where := c.DataDir
	switch {
	case c.Ephemeral:
		where = "memory"
	case c.Store != "sqlite":
		where = "postgres" // the URL may hold a password
	}
	dev := dayunode.DevAuto
	switch {
	case c.devGiven && c.Dev:
		dev = dayunode.DevOn
	case c.devGiven:
		dev = dayunode.DevOff
	}
	n, err := dayunode.New(ctx, dayunode.Config{
		Store: store, World: file, ReplaceWorld: c.ReplaceWorld, Dev: dev, AdminToken: c.AdminToken,
		Timings: c.Timings, Loose: c.Loose, Logger: log,
		RequestTimeout: c.RequestTimeout, RateLimit: c.RateLimit, RateBurst: c.RateBurst,
		JournalSize: c.JournalSize, FaultSeed: c.FaultSeed, PublicURL: c.PublicURL, NoMetrics: !c.Metrics,
		Intercept: c.Intercept, Clouds: c.clouds(),
	})
	switch {
	case errors.Is(err, dayu.ErrOtherWorld):
		err = fmt.Errorf("--world %s: %s: %w; add --replace-world to replace it with this file (orders and instances are kept)", c.WorldFile, where, err)
	case errors.Is(err, dayunode.ErrNotDevWorld):
		err = fmt.Errorf("--dev: %s: %w: there are no dev credentials to publish; leave --dev out (give --admin-token for the admin API)", where, err)
	}
	if err != nil {
		store.Close()
		return err
	}
	defer n.Close()
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return err
	}
	world := n.World()
	domains, projects, eps := world.Counts()
	log.Info("dayu serving", "addr", ln.Addr().String(), "store", where, "world", world.Digest(),
		"domains", domains, "projects", projects, "enterprise_projects", eps, "dev", n.Dev(), "loose", c.Loose)
	if n.Dev() {
		printQuickstart(out, ln.Addr().String(), n.AdminToken())
	}
	timeouts := dayuhttp.Timeouts{Write: c.WriteTimeout, Shutdown: c.ShutdownTimeout}
	if c.MetricsAddr == "" {
		return dayuhttp.Serve(ctx, ln, n.Handler(), log, timeouts)
	}
	mln, err := net.Listen("tcp", c.MetricsAddr)
	if err != nil {
		ln.Close()
		return fmt.Errorf("--metrics-addr: %w", err)
	}
	log.Info("dayu serving metrics", "addr", mln.Addr().String())
	// Either listener failing stops both: a node without its metrics is
	// as unwatched as a node that is down.
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return dayuhttp.Serve(gctx, ln, n.Handler(), log, timeouts) })
	g.Go(func() error { return dayuhttp.Serve(gctx, mln, n.Metrics(), log, timeouts) })
	return g.Wait()
}

// startCPUProfile profiles the process until the returned stop.
func startCPUProfile(path string) (stop func() error, err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}

// openStore opens the configured store: SQLite in the data directory, or
// PostgreSQL.
func openStore(ctx context.Context, c Config) (dayu.Store, error) {
	if c.Ephemeral {
		return sqlite.OpenMemory(ctx, c.SQLite)
	}
	if c.Store == "sqlite" {
		return sqlite.Open(ctx, c.DataDir, c.SQLite)
	}
	return postgres.Open(ctx, c.Store, c.Postgres)
}

func newLogger(c Config, out io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: logLevels[c.LogLevel]}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(out, opts))
	}
	return slog.New(slog.NewTextHandler(out, opts))
}

// printQuickstart shows the dev world's credentials at start-up: they are
// fixed and public (see dayu.DevQuickstart), so printing them leaks nothing.
func printQuickstart(out io.Writer, addr, adminToken string) {
	q := dayu.DevQuickstart
	fmt.Fprintf(out, `
Dev world (also at GET http://%[1]s/_dayu/quickstart):
  domain %[2]s, user %[3]s, password %[4]s
  access key %[5]s, secret key %[6]s
  project %[7]s (%[8]s), zone %[9]s
  vpc %[10]s, subnet %[11]s, security group %[12]s, enterprise project %[13]s
  admin API: Authorization: Bearer %[14]s

`, addr, q.DomainName, q.UserName, q.Password, q.AccessKey, q.SecretKey, q.ProjectID, q.ProjectName,
		q.AvailabilityZone, q.VpcID, q.NetID, q.SecurityGroupID, q.EpsID, adminToken)
}
