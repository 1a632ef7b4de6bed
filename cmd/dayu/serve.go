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
	"time"

	"github.com/spf13/cobra"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/auth"
	dayuhttp "github.com/dayu-emu/dayu/http"
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
	defer store.Close()

	var doc []byte
	if c.WorldFile != "" {
		if doc, err = os.ReadFile(c.WorldFile); err != nil {
			return fmt.Errorf("--world: %w", err)
		}
	}
	world, err := dayu.EnsureWorld(ctx, store, doc)
	if err != nil {
		return err
	}
	// The dev clock can be moved ahead through the admin API; outside dev
	// mode time is the wall clock's.
	var clock dayu.Clock = dayu.WallClock{}
	var admin *dayuhttp.Admin
	if c.AdminToken != "" {
		admin = &dayuhttp.Admin{Token: c.AdminToken}
	}
	if c.Dev {
		dev, err := dayu.LoadOffsetClock(ctx, store)
		if err != nil {
			return err
		}
		clock = dev
		admin.Clock = dev
		admin.SaveClock = func(ctx context.Context, d time.Duration) error { return dayu.SaveClockOffset(ctx, store, d) }
	}
	timings, err := dayu.LoadTimings(ctx, store, c.Timings)
	if err != nil {
		return err
	}
	authority, err := auth.Open(ctx, world, clock, store)
	if err != nil {
		return err
	}
	srv := &dayuhttp.Server{
		Service: &dayu.Service{Store: store, Clock: clock, World: world, Loose: c.Loose, Timings: timings},
		Auth:    authority, Logger: log, Admin: admin, PublicURL: c.PublicURL,
		RequestTimeout: c.RequestTimeout, RateLimit: c.RateLimit, RateBurst: c.RateBurst,
	}
	if c.Dev {
		q := dayu.DevQuickstart
		srv.Quickstart = &q
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return err
	}
	where := c.DataDir
	if c.Store != "sqlite" {
		where = "postgres" // the URL may hold a password
	}
	log.Info("dayu serving", "addr", ln.Addr().String(), "store", where, "dev", c.Dev, "loose", c.Loose)
	if c.Dev {
		printQuickstart(out, ln.Addr().String(), c.AdminToken)
	}
	go follow(ctx, log, store, timings, clock)
	return dayuhttp.Serve(ctx, ln, srv.Handler(), log, dayuhttp.Timeouts{Write: c.WriteTimeout, Shutdown: c.ShutdownTimeout})
}

// followEvery is how often a node reads what the admin API changed on
// another node of the same store.
const followEvery = 2 * time.Second

// follow keeps this node's lifecycle timings and dev clock in step with the
// store, where the admin API of any node writes them.
func follow(ctx context.Context, log *slog.Logger, store dayu.Store, timings *dayu.TimingsBook, clock dayu.Clock) {
	tick := time.NewTicker(followEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		err := timings.Reload(ctx)
		if dev, ok := clock.(*dayu.OffsetClock); ok && err == nil {
			err = dev.Reload(ctx, store)
		}
		if err != nil && ctx.Err() == nil {
			log.Warn("reading the admin settings from the store", "err", err)
		}
	}
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
	if c.Store == "sqlite" {
		return sqlite.Open(ctx, c.DataDir, c.BatchMax)
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
