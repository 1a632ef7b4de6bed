package load

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	dayuhttp "github.com/dayu-emu/dayu/http"
)

// ServeNoop runs the no-op baseline (NoopHandler) until ctx ends, with the
// server settings of dayu serve.
func ServeNoop(ctx context.Context, addr string) error {
	if err := CheckLoopback("http://" + addr); err != nil {
		return err
	}
	return serveBaseline(ctx, addr, NoopHandler())
}

// serveBaseline serves a baseline's handler on addr until ctx ends, with
// the server settings of dayu serve.
func serveBaseline(ctx context.Context, addr string, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	return dayuhttp.Serve(ctx, ln, h, log, dayuhttp.Timeouts{Shutdown: 15 * time.Second})
}

// answer writes a baseline's JSON answer.
func answer(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}
