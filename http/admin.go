package http

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/dayu-emu/dayu"
)

// Admin is the admin API under /_dayu/, in the spirit of moto's state
// manager: reset, lifecycle timings and, in dev mode, the clock. It needs
// "Authorization: Bearer <admin token>".
type Admin struct {
	Token string
	// Clock is the dev clock that POST /_dayu/clock moves; nil outside dev
	// mode, where the endpoint does not exist.
	Clock dayu.MovableClock
	// SaveClock persists the dev clock's offset.
	SaveClock func(ctx context.Context, offset time.Duration) error
	// State exports and imports the whole state (/_dayu/state); nil turns
	// it off.
	State StateBook
}

func (s *Server) adminRoutes(mux *http.ServeMux) {
	a := s.Admin
	mux.Handle("POST /_dayu/reset", s.admin(func(c *call) (int, any, error) {
		if err := s.Service.Reset(c.r.Context()); err != nil {
			return 0, nil, err
		}
		if s.Faults != nil {
			if err := s.Faults.Reload(c.r.Context()); err != nil {
				return 0, nil, err
			}
		}
		return http.StatusOK, map[string]string{"status": "reset"}, nil
	}))
	s.testingRoutes(mux)
	s.stateRoutes(mux)
	mux.Handle("GET /_dayu/timings", s.admin(func(c *call) (int, any, error) {
		return http.StatusOK, s.Service.Timings.For(c.r.URL.Query().Get("project_id")), nil
	}))
	mux.Handle("PUT /_dayu/timings", s.admin(func(c *call) (int, any, error) {
		var t dayu.Timings
		if err := decodeObject(c.body, &t); err != nil {
			return 0, nil, err
		}
		if err := s.Service.Timings.Set(c.r.Context(), c.r.URL.Query().Get("project_id"), t); err != nil {
			return 0, nil, err
		}
		return http.StatusOK, t, nil
	}))
	if a.Clock == nil {
		return
	}
	state := func() clockState {
		return clockState{Now: a.Clock.Now().Format(time.RFC3339Nano), OffsetSeconds: a.Clock.Offset().Seconds()}
	}
	mux.Handle("GET /_dayu/clock", s.admin(func(c *call) (int, any, error) { return http.StatusOK, state(), nil }))
	mux.Handle("POST /_dayu/clock", s.admin(func(c *call) (int, any, error) {
		var req clockAdvance
		if err := decodeObject(c.body, &req); err != nil {
			return 0, nil, err
		}
		if req.AdvanceSeconds == nil {
			return 0, nil, dayu.Errorf(dayu.EINVALID, "advance_seconds: is required (a positive number of seconds)")
		}
		// Start from the stored clock, which another node may have moved:
		// storing an offset behind it would turn the clock back.
		if err := a.Clock.Reload(c.r.Context(), s.Service.Store); err != nil {
			return 0, nil, err
		}
		to, err := a.Clock.AdvancedBy(*req.AdvanceSeconds)
		if err != nil {
			return 0, nil, err
		}
		if err := a.SaveClock(c.r.Context(), to); err != nil {
			return 0, nil, err
		}
		a.Clock.MoveTo(to)
		return http.StatusOK, state(), nil
	}))
}

// admin wraps an admin handler: the admin token is required.
func (s *Server) admin(h handlerFunc) http.Handler {
	return s.endpoint("", dataArts, s.authenticateAdmin, h)
}

func (s *Server) authenticateAdmin(c *call) error {
	got, ok := strings.CutPrefix(c.r.Header.Get("Authorization"), "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(s.Admin.Token)) != 1 {
		return dayu.Errorf(dayu.EUNAUTHORIZED, "the admin API needs Authorization: Bearer <admin token>")
	}
	return nil
}
