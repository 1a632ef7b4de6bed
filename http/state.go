package http

import (
	"context"
	"net/http"

	"github.com/dayu-emu/dayu"
)

// MaxStateBytes is the largest state document PUT /_dayu/state accepts:
// far above MaxBodyBytes, since it holds a whole store.
const MaxStateBytes = 256 << 20

// StateBook exports and imports the node's whole state (the node wires
// it: an import also reloads what the node keeps in memory).
type StateBook interface {
	Export(ctx context.Context) (*dayu.State, error)
	Import(ctx context.Context, st *dayu.State) error
}

// stateRoutes serve GET and PUT /_dayu/state: the state document out, and
// in, replacing everything in one transaction.
func (s *Server) stateRoutes(mux *http.ServeMux) {
	book := s.Admin.State
	if book == nil {
		return
	}
	mux.Handle("GET /_dayu/state", s.admin(func(c *call) (int, any, error) {
		st, err := book.Export(c.r.Context())
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, st, nil
	}))
	mux.Handle("PUT /_dayu/state", s.endpointWithin(MaxStateBytes, "", dataArts, s.authenticateAdmin, func(c *call) (int, any, error) {
		st, err := dayu.ReadState(c.body)
		if err != nil {
			return 0, nil, err
		}
		if err := book.Import(c.r.Context(), st); err != nil {
			return 0, nil, err
		}
		return http.StatusOK, stateImported{Status: "imported", Orders: len(st.Orders), Instances: len(st.Instances)}, nil
	}))
}
