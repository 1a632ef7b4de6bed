// Package http serves Dayu's API: the DataArts Studio, IAM and BSS endpoints
// of the contract, the health checks and the dev quickstart. It decodes and
// encodes the wire format, asks package auth who the caller is, and hands
// the rest to the domain.
package http

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"path"
	"time"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/api"
	"github.com/dayu-emu/dayu/auth"
	"github.com/dayu-emu/dayu/metrics"
)

// MaxBodyBytes is the largest request body accepted.
const MaxBodyBytes = 1 << 20

// DefaultRequestTimeout is Server.RequestTimeout unless configured: well
// below DefaultWriteTimeout, so that the 500 is written in time.
const DefaultRequestTimeout = 10 * time.Second

// readyTimeout bounds /readyz's ping (or RequestTimeout when shorter): a
// store that does not answer makes it 503 within that, so that a load
// balancer takes the node out instead of waiting on it.
const readyTimeout = 2 * time.Second

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
	// Console is the web console at ConsolePath; it needs Admin (nil
	// turns it off).
	Console *Console
	// RequestTimeout bounds each API request's wait for the store, so that
	// a store that stops answering fails requests instead of hanging them;
	// zero means no bound.
	RequestTimeout time.Duration
	// PublicURL is how clients reach this server (scheme, host, port and
	// any path prefix, no trailing slash): the token catalog lists it as
	// every service's endpoint. Empty lists no endpoints.
	PublicURL string
	// RateLimit is how many requests a second one client address may send
	// (with bursts of RateBurst); zero means no limit.
	RateLimit float64
	RateBurst int
	// Faults are the fault rules applied to API calls; nil applies none.
	Faults *dayu.FaultBook
	// Journal records the API calls; nil records none.
	Journal *Journal
	// Clocks are the domains' test clocks that the admin API sets; nil
	// turns /_dayu/clocks off.
	Clocks *dayu.Clocks
	// Metrics count the API calls and are served at GET /metrics: to
	// anyone with OpenMetrics (dev mode), else with the admin token, else
	// not on this handler (a node may serve them on a listener of their
	// own). Nil counts nothing.
	Metrics     *metrics.Metrics
	OpenMetrics bool

	// CAPEM is the certificate of the intercepting proxy's CA, served at
	// /_dayu/ca.pem; nil when the node does not intercept.
	CAPEM []byte

	logins *loginLimiter // the failed password logins, set by Handler
}

// route is one API endpoint: the operation it is (the name that the fault
// rules, the journal and the metrics share), the service whose error format
// it answers in, and its handler. Every route but the token issue needs
// authentication.
type route struct {
	pattern string
	op      dayu.Operation
	svc     service
	public  bool
	h       handlerFunc
}

// routes are the API's endpoints.
func (s *Server) routes() []route {
	return []route{
		{"POST /v1/{project_id}/instances/onekey-purchase", dayu.OpPayForDgcOneKey, dataArts, false, s.purchase},
		{"GET /v1/{project_id}/instances", dayu.OpListDataArtsStudioInstances, dataArts, false, s.listInstances},
		{"POST /v3/auth/tokens", dayu.OpKeystoneCreateUserTokenByPassword, iam, true, s.issueToken},
		{"GET /v3/projects", dayu.OpKeystoneListProjects, iam, false, s.listProjects},
		{"GET /v3/auth/domains", dayu.OpKeystoneListAuthDomains, iam, false, s.listDomains},
		{"GET /v2/products/service-types", dayu.OpListServiceTypes, bss, false, s.listServiceTypes},
		{"GET /v2/orders/customer-orders/details/{order_id}", dayu.OpShowCustomerOrderDetails, bss, false, s.orderDetails},
		{"POST /v2/orders/suscriptions/resources/query", dayu.OpListPayPerUseCustomerResources, bss, false, s.queryResources}, // sic
		{"POST /v2/orders/subscriptions/resources/unsubscribe", dayu.OpCancelResourcesSubscription, bss, false, s.unsubscribe},
		// The instance's life after the purchase.
		{"POST /v2/orders/subscriptions/resources/autorenew/{resource_id}", dayu.OpAutoRenewalResources, bss, false, s.enableAutoRenew},
		{"DELETE /v2/orders/subscriptions/resources/autorenew/{resource_id}", dayu.OpCancelAutoRenewalResources, bss, false, s.disableAutoRenew},
		{"POST /v2/orders/subscriptions/resources/renew", dayu.OpRenewalResources, bss, false, s.renew},
		{"GET /v2/orders/customer-orders", dayu.OpListCustomerOrders, bss, false, s.listOrders},
		{"POST /v3/orders/customer-orders/pay", dayu.OpPayOrders, bss, false, s.payOrder},
		{"PUT /v2/orders/customer-orders/cancel", dayu.OpCancelCustomerOrder, bss, false, s.cancelOrder},
		{"POST /v1/{project_id}/change-resource", dayu.OpChangeResource, dataArts, false, s.changeResource},
		{"POST /v1.0/enterprise-projects/{enterprise_project_id}/resources-migrate", dayu.OpMigrateResource, eps, false, s.migrateResource},
		{"POST /v1.0/enterprise-projects/{enterprise_project_id}/resources/filter", dayu.OpShowResourceBindEnterpriseProject, eps, false, s.filterResources},
		{"GET /v1/{project_id}/workspaces/{instance_id}", dayu.OpListManagerWorkSpaces, dataArts, false, s.listWorkspaces},
		{"POST /v1/{project_id}/workspaces/{instance_id}", dayu.OpCreateManagerWorkSpace, dataArts, false, s.createWorkspace},
		{"GET /v1/{project_id}/workspaces/{instance_id}/{workspace_id}", dayu.OpShowWorkSpace, dataArts, false, s.showWorkspace},
		{"PUT /v1/{project_id}/workspaces/{instance_id}/{workspace_id}", dayu.OpUpdateWorkSpace, dataArts, false, s.updateWorkspace},
		{"DELETE /v1/{project_id}/workspaces/{instance_id}/{workspace_id}", dayu.OpDeleteWorkSpace, dataArts, false, s.deleteWorkspace},
		// The network an instance needs (network.go).
		{"GET /v2.1/{project_id}/os-availability-zone", dayu.OpNovaListAvailabilityZones, vpc, false, s.listAvailabilityZones},
		{"POST /v1/{project_id}/vpcs", dayu.OpCreateVpc, vpc, false, s.createVPC},
		{"GET /v1/{project_id}/vpcs", dayu.OpListVpcs, vpc, false, s.listVPCs},
		{"GET /v1/{project_id}/vpcs/{vpc_id}", dayu.OpShowVpc, vpc, false, s.showVPC},
		{"PUT /v1/{project_id}/vpcs/{vpc_id}", dayu.OpUpdateVpc, vpc, false, s.updateVPC},
		{"DELETE /v1/{project_id}/vpcs/{vpc_id}", dayu.OpDeleteVpc, vpc, false, s.deleteVPC},
		{"GET /v3/{project_id}/vpc/vpcs/{vpc_id}", dayu.OpShowVpc, vpc, false, s.showVPCV3},
		{"PUT /v3/{project_id}/vpc/vpcs/{vpc_id}/add-extend-cidr", dayu.OpAddVpcExtendCidr, vpc, false, s.addExtendCIDRs},
		{"PUT /v3/{project_id}/vpc/vpcs/{vpc_id}/remove-extend-cidr", dayu.OpRemoveVpcExtendCidr, vpc, false, s.removeExtendCIDRs},
		{"GET /v2/nameservers", dayu.OpListNameServers, vpc, false, s.listNameServers},
		{"POST /v1/{project_id}/subnets", dayu.OpCreateSubnet, vpc, false, s.createSubnet},
		{"GET /v1/{project_id}/subnets", dayu.OpListSubnets, vpc, false, s.listSubnets},
		{"GET /v1/{project_id}/subnets/{subnet_id}", dayu.OpShowSubnet, vpc, false, s.showSubnet},
		{"PUT /v1/{project_id}/vpcs/{vpc_id}/subnets/{subnet_id}", dayu.OpUpdateSubnet, vpc, false, s.updateSubnet},
		{"DELETE /v1/{project_id}/vpcs/{vpc_id}/subnets/{subnet_id}", dayu.OpDeleteSubnet, vpc, false, s.deleteSubnet},
		{"GET /v2.0/{project_id}/vpcs/{id}/tags", dayu.OpShowVpcTags, vpc, false, onKind(dayu.KindVPC, s.listNetworkTags)},
		{"POST /v2.0/{project_id}/vpcs/{id}/tags/action", dayu.OpBatchCreateVpcTags, vpc, false, onKind(dayu.KindVPC, s.networkTagAction)},
		{"GET /v2.0/{project_id}/subnets/{id}/tags", dayu.OpShowSubnetTags, vpc, false, onKind(dayu.KindSubnet, s.listNetworkTags)},
		{"POST /v2.0/{project_id}/subnets/{id}/tags/action", dayu.OpBatchCreateSubnetTags, vpc, false, onKind(dayu.KindSubnet, s.networkTagAction)},
		{"POST /v3/{project_id}/vpc/security-groups", dayu.OpCreateSecurityGroup, vpc, false, s.createSecurityGroupV3},
		{"GET /v3/{project_id}/vpc/security-groups", dayu.OpListSecurityGroups, vpc, false, s.listSecurityGroupsV3},
		{"GET /v3/{project_id}/vpc/security-groups/{security_group_id}", dayu.OpShowSecurityGroup, vpc, false, s.showSecurityGroupV3},
		{"PUT /v3/{project_id}/vpc/security-groups/{security_group_id}", dayu.OpUpdateSecurityGroup, vpc, false, s.updateSecurityGroupV3},
		{"GET /v3/{project_id}/vpc/security-group-rules", dayu.OpListSecurityGroupRules, vpc, false, s.listSecurityGroupRulesV3},
		{"DELETE /v3/{project_id}/vpc/security-group-rules/{rule_id}", dayu.OpDeleteSecurityGroupRule, vpc, false, s.deleteSecurityGroupRule},
		{"POST /v1/{project_id}/security-groups", dayu.OpCreateSecurityGroup, vpc, false, s.createSecurityGroupV1},
		{"GET /v1/{project_id}/security-groups", dayu.OpListSecurityGroups, vpc, false, s.listSecurityGroupsV1},
		{"GET /v1/{project_id}/security-groups/{security_group_id}", dayu.OpShowSecurityGroup, vpc, false, s.showSecurityGroupV1},
		{"PUT /v2.0/security-groups/{security_group_id}", dayu.OpNeutronUpdateSecurityGroup, vpc, false, s.updateSecurityGroupV2},
		{"DELETE /v1/{project_id}/security-groups/{security_group_id}", dayu.OpDeleteSecurityGroup, vpc, false, s.deleteSecurityGroup},
		{"DELETE /v1/{project_id}/security-group-rules/{rule_id}", dayu.OpDeleteSecurityGroupRule, vpc, false, s.deleteSecurityGroupRule},
		{"GET /v2.0/{project_id}/security-groups/{id}/tags", dayu.OpShowSecurityGroupTags, vpc, false, onKind(dayu.KindSecurityGroup, s.listNetworkTags)},
		{"POST /v2.0/{project_id}/security-groups/{id}/tags/action", dayu.OpBatchCreateSecurityGroupTags, vpc, false, onKind(dayu.KindSecurityGroup, s.networkTagAction)},
	}
}

// The health checks' paths.
const (
	healthPath = "/healthz"
	readyPath  = "/readyz"
)

// Handler returns the server's routes wrapped in the request id, logging
// and panic recovery.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.logins = newLoginLimiter()
	for _, rt := range s.routes() {
		authn := s.authenticate
		if rt.public {
			authn = nil
		}
		mux.Handle(rt.pattern, s.endpoint(rt.op, rt.svc, authn, rt.h))
	}
	mux.HandleFunc("GET "+healthPath, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET "+readyPath, s.ready)
	mux.HandleFunc("GET /openapi.yaml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(api.OpenAPI)
	})
	if s.Admin != nil {
		s.adminRoutes(mux)
		if s.Console != nil {
			s.consoleRoutes(mux)
		}
	}
	if s.CAPEM != nil {
		// The certificate only, which clients need to trust the proxy: public.
		mux.HandleFunc("GET /_dayu/ca.pem", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/x-pem-file")
			_, _ = w.Write(s.CAPEM)
		})
	}
	s.metricsRoute(mux)
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

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	bound := readyTimeout
	if s.RequestTimeout > 0 {
		bound = min(bound, s.RequestTimeout)
	}
	ctx, cancel := context.WithTimeout(r.Context(), bound)
	defer cancel()
	if err := s.Service.Store.Ping(ctx); err != nil {
		logFrom(r).Warn("not ready", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": "the store does not answer"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// withGatewayErrors answers an unknown path (404 APIGW.0101) or a wrong
// method (405, with Allow) in the service's error format instead of the
// mux's plain text. A path the mux would redirect to its clean form (dot
// segments, doubled slashes) names no API either: the gateway does not
// redirect, and a redirect's HTML is no client's answer.
func withGatewayErrors(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect && !isCleanPath(r.URL.EscapedPath()) {
			writeError(w, r, dataArts, dayu.Errorf(ENOROUTE, "No API is found for %s %s", r.Method, r.URL.Path))
			return
		}
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

// isCleanPath reports whether the mux takes p as it is: net/http's
// ServeMux redirects any other path (not CONNECT's) to path.Clean's form,
// a trailing slash kept.
func isCleanPath(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	clean := path.Clean(p)
	if p[len(p)-1] == '/' && clean != "/" {
		clean += "/"
	}
	return clean == p
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
	op      dayu.Operation  // "" for the admin API
	fault   *dayu.FaultRule // the fault rule that hit the call, if one did
	maxBody int64           // the largest body accepted
}

// handlerFunc answers a call with a status and a body to encode as JSON,
// or an error.
type handlerFunc func(*call) (int, any, error)

// endpoint turns a handlerFunc into an http.Handler: it reads the body
// within MaxBodyBytes, runs authn (when not nil), requires JSON for a body,
// and writes the answer or the error in svc's format. A call of an
// operation (the API's, not the admin API's) is also subject to the fault
// rules and recorded in the journal.
func (s *Server) endpoint(op dayu.Operation, svc service, authn func(*call) error, h handlerFunc) http.Handler {
	return s.endpointWithin(MaxBodyBytes, op, svc, authn, h)
}

// endpointWithin is endpoint with bodies of up to maxBody bytes.
func (s *Server) endpointWithin(maxBody int64, op dayu.Operation, svc service, authn func(*call) error, h handlerFunc) http.Handler {
	counted := s.Metrics.Operation(op)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		if s.RequestTimeout > 0 {
			ctx, cancel := context.WithTimeout(r.Context(), s.RequestTimeout)
			defer cancel()
			r = r.WithContext(ctx)
		}
		c := &call{r: r, header: w.Header(), project: r.PathValue("project_id"), op: op, maxBody: maxBody}
		var a answer
		if status, v, err := s.serve(w, c, authn, h); err != nil {
			a = errorAnswer(w.Header(), r, svc, err)
		} else {
			a = jsonAnswer(status, v)
		}
		lost := c.fault != nil && (c.fault.DropConnection || c.fault.LoseResponse)
		if op != "" && s.Journal != nil {
			s.Journal.add(c.entry(a, start, lost))
		}
		m := counted
		if c.op != op {
			m = s.Metrics.Operation(c.op) // the token path's second operation
		}
		if lost {
			m.Answered(a.status, true, time.Since(start))
			hangUp(w)
			return
		}
		a.write(w)
		m.Answered(a.status, false, time.Since(start))
	})
}

func (s *Server) serve(w http.ResponseWriter, c *call, authn func(*call) error, h handlerFunc) (int, any, error) {
	tooLarge := dayu.Errorf(ETOOLARGE, "The request body is larger than %d bytes", c.maxBody)
	// A body declared too large is refused at once, not after waiting for
	// it (a client may send the headers and stall).
	if c.r.ContentLength > c.maxBody {
		return 0, nil, tooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, c.r.Body, c.maxBody))
	var overLimit *http.MaxBytesError
	switch {
	case errors.As(err, &overLimit):
		return 0, nil, tooLarge
	case err != nil:
		return 0, nil, dayu.Errorf(dayu.EINVALID, "body: could not be read: %v", err)
	}
	c.body = body
	if err := checkText(c.r, body); err != nil {
		return 0, nil, err
	}
	if c.op == dayu.OpKeystoneCreateUserTokenByPassword && tokenMethod(body) == "token" {
		c.op = dayu.OpKeystoneCreateScopedToken // one path, two operations
	}
	if del, ok := tagDeletions[c.op]; ok && tagActionOf(body) == "delete" {
		c.op = del // the same: the action of the body tells them apart
	}
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
	if err := s.applyFault(c); err != nil || (c.fault != nil && c.fault.DropConnection) {
		return 0, nil, err
	}
	return h(c)
}

// applyFault finds the fault rule that hits the call, if any, waits its
// latency, and returns its error answer: the call is then not carried out.
func (s *Server) applyFault(c *call) error {
	if c.op == "" || s.Faults == nil {
		return nil
	}
	project := c.project
	if project == "" {
		project = c.caller.ProjectID
	}
	rule, err := s.Faults.Match(c.r.Context(), c.op, project, s.Service.Clocks.Server().Now())
	if err != nil || rule == nil {
		return err
	}
	c.fault = rule
	s.Metrics.Operation(c.op).FaultFired()
	if rule.Latency > 0 {
		t := time.NewTimer(rule.Latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-c.r.Context().Done():
			return dayu.Errorf(dayu.ETIMEOUT, "the request timed out during the fault rule's latency")
		}
	}
	if rule.Error != nil {
		return &faultError{rule}
	}
	return nil
}

// hangUp closes the call's connection without an answer: what a client
// sees when a network or a server fails mid-call.
func hangUp(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // HTTP/2: abort the stream instead
	}
	conn.Close()
}

// tokenMethod is the identity method of a token request body, "" if none
// can be read.
func tokenMethod(body []byte) string {
	var req tokenRequest
	if json.Unmarshal(body, &req) != nil || len(req.Auth.Identity.Methods) != 1 {
		return ""
	}
	return req.Auth.Identity.Methods[0]
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
