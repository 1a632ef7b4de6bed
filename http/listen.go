package http

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// DefaultWriteTimeout is how long a request may take from its headers to
// the end of its answer (Timeouts.Write) unless configured.
const DefaultWriteTimeout = 30 * time.Second

// Timeouts are the server's timeouts that the configuration sets.
type Timeouts struct {
	// Write bounds reading a request's body, handling it and writing the
	// answer; zero means DefaultWriteTimeout. It must be above
	// Server.RequestTimeout, or the answer to a request that waited for
	// the store that long is never written: the client sees the
	// connection drop instead of a 500.
	Write time.Duration
	// Shutdown bounds how long a graceful shutdown waits for in-flight
	// requests.
	Shutdown time.Duration
}

// Serve serves h on ln with Dayu's server settings (the timeouts and the
// header limit that keep slow or hostile clients from holding connections)
// until ctx ends, then shuts down gracefully: in-flight requests finish,
// within t.Shutdown. The no-op baseline of dayu bench is served the same
// way, so that the two compare.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger, t Timeouts) error {
	if t.Write == 0 {
		t.Write = DefaultWriteTimeout
	}
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      t.Write,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	unused := trackUnused(hs)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), t.Shutdown)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- hs.Shutdown(sctx) }()
	unused.closeAll()
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// unusedConns are the connections accepted that have not sent a byte yet.
// Shutdown waits up to five seconds for such a connection (client pools
// open them ahead); closing them at once loses no request.
type unusedConns struct {
	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

func trackUnused(hs *http.Server) *unusedConns {
	u := &unusedConns{conns: map[net.Conn]struct{}{}}
	hs.ConnState = func(c net.Conn, st http.ConnState) {
		u.mu.Lock()
		defer u.mu.Unlock()
		if st == http.StateNew {
			u.conns[c] = struct{}{}
		} else {
			delete(u.conns, c)
		}
	}
	return u
}

func (u *unusedConns) closeAll() {
	u.mu.Lock()
	defer u.mu.Unlock()
	for c := range u.conns {
		_ = c.Close()
	}
}
