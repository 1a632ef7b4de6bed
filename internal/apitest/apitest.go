// Package apitest checks, in tests, that what the server answers is what
// api/openapi.yaml says it answers.
//
// The black-box tests of package http send their requests through
// Transport: every response (status, headers and body) is validated against
// the document with kin-openapi, and a mismatch fails the test. Requests are
// not validated: the tests send bad ones on purpose.
package apitest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/dayu-emu/dayu/api"
)

// spec is api/openapi.yaml, loaded once.
type spec struct {
	doc    *openapi3.T
	router routers.Router
	// unrouted answers a request whose path or method is not in the
	// document: 404 NoRoute and 405 MethodNotAllowed of components/responses.
	unrouted *openapi3.Operation
}

var (
	loadOnce   sync.Once
	loaded     *spec
	errLoading error
)

// Spec returns the parsed, validated api/openapi.yaml, the one the
// validator uses.
func Spec() (*openapi3.T, error) {
	s, err := load()
	if err != nil {
		return nil, err
	}
	return s.doc, nil
}

func load() (*spec, error) {
	loadOnce.Do(func() { loaded, errLoading = parse(api.OpenAPI) })
	return loaded, errLoading
}

// parse loads and validates an OpenAPI document and builds its router.
func parse(data []byte) (*spec, error) {
	ctx := context.Background()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("apitest: loading api/openapi.yaml: %w", err)
	}
	if err := doc.Validate(ctx); err != nil {
		return nil, fmt.Errorf("apitest: api/openapi.yaml is not valid: %w", err)
	}
	// The test server listens on 127.0.0.1:PORT: match the path alone,
	// whatever the host.
	doc.Servers = nil
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("apitest: routing api/openapi.yaml: %w", err)
	}
	unrouted := openapi3.NewOperation()
	unrouted.Responses = openapi3.NewResponses()
	for status, name := range map[int]string{http.StatusNotFound: "NoRoute", http.StatusMethodNotAllowed: "MethodNotAllowed", http.StatusTooManyRequests: "Throttled"} {
		ref := doc.Components.Responses[name]
		if ref == nil || ref.Value == nil {
			return nil, fmt.Errorf("apitest: api/openapi.yaml has no components/responses/%s", name)
		}
		unrouted.Responses.Set(fmt.Sprint(status), ref)
	}
	return &spec{doc: doc, router: router, unrouted: unrouted}, nil
}

// Transport returns an http.RoundTripper that sends with base
// (http.DefaultTransport when nil) and validates every response (status,
// headers, body) against api/openapi.yaml with kin-openapi's
// openapi3filter.ValidateResponse, reporting a mismatch with t.Errorf (the
// request path, status and the validator's message). Bodies stay readable
// by the caller afterwards.
//
// A request whose path and method are not in the document is itself an
// error unless it is answered 404 or 405; those answers, and a 429 on any
// path whose operation has no 429 of its own, are checked against
// components/responses NoRoute, MethodNotAllowed and Throttled.
func Transport(t testing.TB, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		resp, err := base.RoundTrip(req)
		if err != nil {
			return resp, err
		}
		if err := validate(req, resp); err != nil {
			t.Errorf("openapi: %s %s: status %d: %v", req.Method, req.URL.Path, resp.StatusCode, err)
		}
		return resp, nil
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// validate checks resp, the answer to req, against the document. It reads
// the whole body and puts an unread copy back in resp.Body.
func validate(req *http.Request, resp *http.Response) error {
	s, err := load()
	if err != nil {
		return err
	}
	var body []byte
	if resp.Body != nil {
		body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("reading the body: %w", err)
		}
	}

	lookup := req
	if req.Method == http.MethodHead {
		// The server answers HEAD on every GET route; the validator skips
		// HEAD bodies, but the route must exist.
		lookup = req.Clone(req.Context())
		lookup.Method = http.MethodGet
	}
	route, params, err := s.router.FindRoute(lookup)
	// The gateway may throttle any request, routed or not (429 Throttled),
	// unless the operation says what its 429 is.
	if err != nil || resp.StatusCode == http.StatusTooManyRequests && route.Operation.Responses.Status(http.StatusTooManyRequests) == nil {
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMethodNotAllowed && resp.StatusCode != http.StatusTooManyRequests {
			return fmt.Errorf("%s %s is not in api/openapi.yaml (%v)", req.Method, req.URL.Path, err)
		}
		route = &routers.Route{Spec: s.doc, Path: req.URL.Path, Method: req.Method, Operation: s.unrouted}
		params = nil
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    req,
			PathParams: params,
			Route:      route,
		},
		Status:  resp.StatusCode,
		Header:  resp.Header,
		Body:    io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}
	return openapi3filter.ValidateResponse(req.Context(), input)
}
