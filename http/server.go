// Package http serves Dayu's API: the DataArts Studio, IAM and BSS endpoints
// of the contract, the health checks and the dev quickstart. It decodes and
// encodes the wire format, asks package auth who the caller is, and hands
// the rest to the domain.
package http

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"time"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/api"
	"github.com/dayu-emu/dayu/auth"
)

// MaxBodyBytes is the largest request body accepted.
const MaxBodyBytes = 1 << 20

// Server holds what the handlers need: the domain's Service (and through
// it the store and the clock) and the Authority that authenticates.
type Server struct {
	Service *dayu.Service
	Auth    *auth.Authority
	Logger  *slog.Logger
	// Quickstart is served at /_dayu/quickstart; nil outside dev mode.
	Quickstart *dayu.Quickstart
	// Admin is the admin API; nil turns it off.
	Admin *Admin
	// RequestTimeout bounds each API request's wait for the store, so that
	// a store that stops answering fails requests instead of hanging them;
	// zero means no bound.
	RequestTimeout time.Duration
	// RateLimit is how many requests a second one client address may send
	// (with bursts of RateBurst); zero means no limit.
	RateLimit float64
	RateBurst int
}

// Handler returns the server's routes wrapped in the request id, logging
// and panic recovery.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /v1/{project_id}/instances/onekey-purchase", s.endpoint(dataArts, s.authenticate, s.purchase))
	mux.Handle("GET /v1/{project_id}/instances", s.endpoint(dataArts, s.authenticate, s.listInstances))
	mux.Handle("POST /v3/auth/tokens", s.endpoint(iam, nil, s.issueToken))
	mux.Handle("GET /v3/projects", s.endpoint(iam, s.authenticate, s.listProjects))
	mux.Handle("GET /v3/auth/domains", s.endpoint(iam, s.authenticate, s.listDomains))
	mux.Handle("GET /v2/products/service-types", s.endpoint(bss, s.authenticate, s.listServiceTypes))
	mux.Handle("GET /v2/orders/customer-orders/details/{order_id}", s.endpoint(bss, s.authenticate, s.orderDetails))
	mux.Handle("POST /v2/orders/suscriptions/resources/query", s.endpoint(bss, s.authenticate, s.queryResources)) // sic
	mux.Handle("POST /v2/orders/subscriptions/resources/unsubscribe", s.endpoint(bss, s.authenticate, s.unsubscribe))
	s.lifeRoutes(mux)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", s.ready)
	mux.HandleFunc("GET /openapi.yaml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(api.OpenAPI)
	})
	if s.Admin != nil {
		s.adminRoutes(mux)
	}
	if s.Quickstart != nil {
		mux.HandleFunc("GET /_dayu/quickstart", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, s.Quickstart)
		})
	}
	var h http.Handler = withGatewayErrors(mux)
	if s.RateLimit > 0 {
		h = newClientLimiter(s.RateLimit, s.RateBurst).throttle(h)
	}
	return observe(s.Logger, h)
}

// lifeRoutes are the instance's life after its purchase: renewals,
// auto-renew, orders, spec changes, enterprise-project moves, workspaces.
func (s *Server) lifeRoutes(mux *http.ServeMux) {
	mux.Handle("POST /v2/orders/subscriptions/resources/autorenew/{resource_id}", s.endpoint(bss, s.authenticate, s.enableAutoRenew))
	mux.Handle("DELETE /v2/orders/subscriptions/resources/autorenew/{resource_id}", s.endpoint(bss, s.authenticate, s.disableAutoRenew))
	mux.Handle("POST /v2/orders/subscriptions/resources/renew", s.endpoint(bss, s.authenticate, s.renew))
	mux.Handle("GET /v2/orders/customer-orders", s.endpoint(bss, s.authenticate, s.listOrders))
	mux.Handle("POST /v3/orders/customer-orders/pay", s.endpoint(bss, s.authenticate, s.payOrder))
	mux.Handle("PUT /v2/orders/customer-orders/cancel", s.endpoint(bss, s.authenticate, s.cancelOrder))
	mux.Handle("POST /v1/{project_id}/change-resource", s.endpoint(dataArts, s.authenticate, s.changeResource))
	mux.Handle("POST /v1.0/enterprise-projects/{enterprise_project_id}/resources-migrate", s.endpoint(eps, s.authenticate, s.migrateResource))
	mux.Handle("POST /v1.0/enterprise-projects/{enterprise_project_id}/resources/filter", s.endpoint(eps, s.authenticate, s.filterResources))
	mux.Handle("GET /v1/{project_id}/workspaces/{instance_id}", s.endpoint(dataArts, s.authenticate, s.listWorkspaces))
	mux.Handle("POST /v1/{project_id}/workspaces/{instance_id}", s.endpoint(dataArts, s.authenticate, s.createWorkspace))
	mux.Handle("GET /v1/{project_id}/workspaces/{instance_id}/{workspace_id}", s.endpoint(dataArts, s.authenticate, s.showWorkspace))
	mux.Handle("PUT /v1/{project_id}/workspaces/{instance_id}/{workspace_id}", s.endpoint(dataArts, s.authenticate, s.updateWorkspace))
	mux.Handle("DELETE /v1/{project_id}/workspaces/{instance_id}/{workspace_id}", s.endpoint(dataArts, s.authenticate, s.deleteWorkspace))
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	if err := s.Service.Store.Ping(r.Context()); err != nil {
		logFrom(r).Warn("not ready", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": "the store does not answer"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// withGatewayErrors answers an unknown path (404 APIGW.0101) or a wrong
// method (405, with Allow) in the service's error format instead of the
// mux's plain text.
func withGatewayErrors(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h, pattern := mux.Handler(r); pattern == "" {
			probe := &headerProbe{header: http.Header{}}
			h.ServeHTTP(probe, r)
			switch probe.status {
			case http.StatusNotFound:
				writeError(w, r, dataArts, dayu.Errorf(ENOROUTE, "No API is found for %s %s", r.Method, r.URL.Path))
				return
			case http.StatusMethodNotAllowed:
				w.Header().Set("Allow", probe.header.Get("Allow"))
				writeError(w, r, dataArts, dayu.Errorf(EMETHOD, "Method %s is not allowed for %s; allowed: %s", r.Method, r.URL.Path, probe.header.Get("Allow")))
				return
			}
		}
		mux.ServeHTTP(w, r)
	})
}

// headerProbe records what the mux's fallback handler would answer.
type headerProbe struct {
	header http.Header
	status int
}

func (p *headerProbe) Header() http.Header         { return p.header }
func (p *headerProbe) Write(b []byte) (int, error) { return len(b), nil }
func (p *headerProbe) WriteHeader(status int)      { p.status = status }

// call is one API request as its handler sees it.
type call struct {
	r       *http.Request
	header  http.Header // the response's headers
	body    []byte
	project string // the path's project_id, "" when the path has none
	caller  dayu.Caller
}

// handlerFunc answers a call with a status and a body to encode as JSON,
// or an error.
type handlerFunc func(*call) (int, any, error)

// endpoint turns a handlerFunc into an http.Handler: it reads the body
// within MaxBodyBytes, runs authn (when not nil), requires JSON for a body,
// and writes the answer or the error in svc's format.
func (s *Server) endpoint(svc service, authn func(*call) error, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.RequestTimeout > 0 {
			ctx, cancel := context.WithTimeout(r.Context(), s.RequestTimeout)
			defer cancel()
			r = r.WithContext(ctx)
		}
		c := &call{r: r, header: w.Header(), project: r.PathValue("project_id")}
		status, v, err := s.serve(w, c, authn, h)
		switch {
		case err != nil:
			writeError(w, r, svc, err)
		case status == http.StatusNoContent:
			w.WriteHeader(status)
		default:
			writeJSON(w, status, v)
		}
	})
}

func (s *Server) serve(w http.ResponseWriter, c *call, authn func(*call) error, h handlerFunc) (int, any, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, c.r.Body, MaxBodyBytes))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return 0, nil, dayu.Errorf(ETOOLARGE, "The request body is larger than %d bytes", MaxBodyBytes)
	case err != nil:
		return 0, nil, dayu.Errorf(dayu.EINVALID, "body: could not be read: %v", err)
	}
	c.body = body
	// Authentication first: on Huawei Cloud the gateway checks it before the
	// service sees the request.
	if authn != nil {
		if err := authn(c); err != nil {
			return 0, nil, err
		}
	}
	if len(body) > 0 {
		if mt, _, err := mime.ParseMediaType(c.r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
			return 0, nil, dayu.Errorf(dayu.EINVALID, "Content-Type: must be application/json, got %q", c.r.Header.Get("Content-Type"))
		}
	}
	return h(c)
}

// authenticate finds the API caller and, on paths with a project, checks
// that they may act in it.
func (s *Server) authenticate(c *call) error {
	var err error
	if c.caller, err = s.Auth.Authenticate(c.r, c.body, c.project); err != nil {
		return err
	}
	if c.project != "" {
		return auth.Authorize(c.caller, c.project)
	}
	return nil
}
