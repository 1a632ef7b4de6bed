package load

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"time"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/auth"
	dayuhttp "github.com/dayu-emu/dayu/http"
	"github.com/dayu-emu/dayu/postgres"
	"github.com/dayu-emu/dayu/sqlite"
)

// ServeConfig is the configuration of Serve.
type ServeConfig struct {
	Addr      string
	Store     string // "sqlite" or a postgres:// URL
	DataDir   string
	WorldFile string
	// CPUProfile, when set, is where the CPU profile of the whole serving
	// time is written when Serve returns.
	CPUProfile string
}

// Serve runs Dayu as `dayu serve --log-level error` does with a world file
// and default settings (no dev mode, no admin API, the wall clock, the
// default timings and batch sizes, a 30 s request timeout), until ctx ends,
// optionally under the CPU profiler. It is the server of `dayu bench
// --cpuprofile`: the bench does not change the server's own command to
// profile it, so this wiring mirrors cmd/dayu/serve.go and must follow it.
func Serve(ctx context.Context, c ServeConfig) (err error) {
	if c.CPUProfile != "" {
		f, err := os.Create(c.CPUProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return err
		}
		defer func() {
			pprof.StopCPUProfile()
			err = errors.Join(err, f.Close())
		}()
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	var store dayu.Store
	if c.Store == "" || c.Store == "sqlite" {
		store, err = sqlite.Open(ctx, c.DataDir, 0)
	} else {
		store, err = postgres.Open(ctx, c.Store, postgres.Config{})
	}
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
	clock := dayu.WallClock{}
	timings, err := dayu.LoadTimings(ctx, store, dayu.DefaultTimings)
	if err != nil {
		return err
	}
	authority, err := auth.Open(ctx, world, clock, store)
	if err != nil {
		return err
	}
	srv := &dayuhttp.Server{
		Service: &dayu.Service{Store: store, Clock: clock, World: world, Timings: timings},
		Auth:    authority, Store: store, Clock: clock, Logger: log,
		RequestTimeout: 30 * time.Second,
	}
	return listenAndServe(ctx, c.Addr, srv.Handler(), log)
}

// ServeNoop runs the no-op baseline (NoopHandler) until ctx ends.
func ServeNoop(ctx context.Context, addr string) error {
	return listenAndServe(ctx, addr, NoopHandler(), slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
}

// listenAndServe serves h on addr with the server settings of dayu serve,
// and shuts down gracefully when ctx ends.
func listenAndServe(ctx context.Context, addr string, h http.Handler, log *slog.Logger) error {
	if err := CheckLoopback("http://" + addr); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
