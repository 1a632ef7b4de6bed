package http

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/dayu-emu/dayu"
)

const headerRequestID = "X-Request-Id"

type ctxKey int

const loggerKey ctxKey = iota

// logFrom returns the request's logger, which carries its request id.
func logFrom(r *http.Request) *slog.Logger {
	if l, ok := r.Context().Value(loggerKey).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}

// statusRecorder remembers the status a handler wrote, for the log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (a fault rule
// hangs up on it).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// observe gives every request an X-Request-Id (the client's, or a new one),
// logs one line when it ends, and turns a panic into a 500 with no stack
// trace in the body. Only method, path, status and latency are logged:
// never a header or a body, which may hold passwords, tokens or keys.
func observe(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get(headerRequestID)
		if id == "" || len(id) > 128 {
			id = newRequestID()
		}
		w.Header().Set(headerRequestID, id)
		l := log.With("request_id", id)
		r = r.WithContext(context.WithValue(r.Context(), loggerKey, l))
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				l.Error("panic", "panic", p, "stack", string(debug.Stack()))
				if rec.status == 0 {
					writeError(rec, r, dataArts, dayu.Errorf(dayu.EINTERNAL, "the request could not be completed (request %s)", id))
				}
			}
			l.Info("request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
				"latency_ms", float64(time.Since(start).Microseconds())/1000)
		}()
		next.ServeHTTP(rec, r)
	})
}

func newRequestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
