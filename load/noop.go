package load

import (
	"context"
	"log/slog"
	"net"
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
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	return dayuhttp.Serve(ctx, ln, NoopHandler(), log, dayuhttp.Timeouts{Shutdown: 15 * time.Second})
}
