package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/dayu-emu/dayu"
)

// The admin API of Dayu as a testing tool: fault rules and the request
// journal.

// MaxJournalLimit is the most entries one GET /_dayu/requests returns.
const MaxJournalLimit = 10_000

func (s *Server) testingRoutes(mux *http.ServeMux) {
	if f := s.Faults; f != nil {
		mux.Handle("POST /_dayu/faults", s.admin(func(c *call) (int, any, error) {
			var req faultRuleRequest
			if err := decodeAdminObject(c.body, &req); err != nil {
				return 0, nil, err
			}
			r, lifetime, err := req.rule()
			if err != nil {
				return 0, nil, err
			}
			if err := f.Add(c.r.Context(), r, s.Service.Clocks.Server().Now(), lifetime); err != nil {
				return 0, nil, err
			}
			return http.StatusCreated, toFaultRuleView(r), nil
		}))
		mux.Handle("GET /_dayu/faults", s.admin(func(c *call) (int, any, error) {
			rules, err := f.List(c.r.Context(), s.Service.Clocks.Server().Now())
			if err != nil {
				return 0, nil, err
			}
			out := faultRuleList{Rules: make([]faultRuleView, 0, len(rules))}
			for _, r := range rules {
				out.Rules = append(out.Rules, toFaultRuleView(r))
			}
			return http.StatusOK, out, nil
		}))
		mux.Handle("DELETE /_dayu/faults/{id}", s.admin(func(c *call) (int, any, error) {
			return http.StatusNoContent, nil, f.Delete(c.r.Context(), c.r.PathValue("id"))
		}))
		mux.Handle("DELETE /_dayu/faults", s.admin(func(c *call) (int, any, error) {
			return http.StatusNoContent, nil, f.Clear(c.r.Context())
		}))
	}
	if cl := s.Clocks; cl != nil {
		mux.Handle("GET /_dayu/clocks", s.admin(func(c *call) (int, any, error) {
			out := testClockList{Clocks: []testClockView{}}
			for _, tc := range cl.List() {
				out.Clocks = append(out.Clocks, toTestClockView(tc, cl.Server().Now()))
			}
			return http.StatusOK, out, nil
		}))
		// clock answers with the clock of the path's domain that change made.
		clock := func(change func(c *call, domainID string) (*dayu.TestClock, error)) http.Handler {
			return s.admin(func(c *call) (int, any, error) {
				d, err := s.domain(c.r.PathValue("domain_id"))
				if err != nil {
					return 0, nil, err
				}
				tc, err := change(c, d)
				if err != nil {
					return 0, nil, err
				}
				return http.StatusOK, toTestClockView(tc, cl.Server().Now()), nil
			})
		}
		mux.Handle("GET /_dayu/clocks/{domain_id}", clock(func(_ *call, d string) (*dayu.TestClock, error) {
			if tc := cl.Get(d); tc != nil {
				return tc, nil
			}
			return nil, dayu.Errorf(dayu.ENOTFOUND, "domain %s has no test clock: it follows the server's", d)
		}))
		mux.Handle("PUT /_dayu/clocks/{domain_id}", clock(func(c *call, d string) (*dayu.TestClock, error) {
			var req testClockRequest
			if err := decodeAdminObject(c.body, &req); err != nil {
				return nil, err
			}
			return cl.Set(c.r.Context(), d, req.Frozen)
		}))
		mux.Handle("POST /_dayu/clocks/{domain_id}/advance", clock(func(c *call, d string) (*dayu.TestClock, error) {
			var req clockAdvance
			if err := decodeAdminObject(c.body, &req); err != nil {
				return nil, err
			}
			if req.AdvanceSeconds == nil || math.IsNaN(*req.AdvanceSeconds) || *req.AdvanceSeconds <= 0 || *req.AdvanceSeconds > dayu.MaxTestClockAhead.Seconds() {
				return nil, dayu.Errorf(dayu.EINVALID, "advance_seconds: is required, more than 0 and at most %g", dayu.MaxTestClockAhead.Seconds())
			}
			return cl.Advance(c.r.Context(), d, time.Duration(*req.AdvanceSeconds*float64(time.Second)))
		}))
	}
	if j := s.Journal; j != nil {
		mux.Handle("GET /_dayu/requests", s.admin(func(c *call) (int, any, error) {
			f, err := parseJournalFilter(c.r)
			if err != nil {
				return 0, nil, err
			}
			entries := j.list(f)
			out := journalList{Requests: make([]journalView, 0, len(entries))}
			for _, e := range entries {
				out.Requests = append(out.Requests, toJournalView(e))
			}
			return http.StatusOK, out, nil
		}))
	}
}

// rule is the fault rule the request asks for, and how long it is to live.
func (req *faultRuleRequest) rule() (*dayu.FaultRule, time.Duration, error) {
	r := &dayu.FaultRule{Operation: dayu.Operation(req.Operation), ProjectID: req.ProjectID, Probability: 1, Count: req.Count,
		DropConnection: req.DropConnection, LoseResponse: req.LoseResponse}
	if req.Probability != nil {
		r.Probability = *req.Probability
	}
	if req.LatencyMS < 0 || req.LatencyMS > dayu.MaxFaultLatency.Milliseconds() {
		return nil, 0, dayu.Errorf(dayu.EINVALID, "latency_ms: must be 0 to %d, got %d", dayu.MaxFaultLatency.Milliseconds(), req.LatencyMS)
	}
	r.Latency = time.Duration(req.LatencyMS) * time.Millisecond
	if e := req.Error; e != nil {
		r.Error = &dayu.FaultError{Status: e.Status, Code: e.ErrorCode, Message: e.ErrorMsg}
	}
	max := dayu.MaxFaultLifetime.Seconds()
	if math.IsNaN(req.ExpiresInSeconds) || req.ExpiresInSeconds < 0 || req.ExpiresInSeconds > max {
		return nil, 0, dayu.Errorf(dayu.EINVALID, "expires_in_seconds: must be 0 (never) to %g", max)
	}
	return r, time.Duration(req.ExpiresInSeconds * float64(time.Second)), nil
}

// parseJournalFilter reads GET /_dayu/requests's query: limit (default
// 100), operation, project_id, status and since (RFC 3339).
func parseJournalFilter(r *http.Request) (journalFilter, error) {
	q := r.URL.Query()
	f := journalFilter{limit: 100, operation: dayu.Operation(q.Get("operation")), projectID: q.Get("project_id")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxJournalLimit {
			return f, dayu.Errorf(dayu.EINVALID, "limit: must be an integer from 1 to %d, got %q", MaxJournalLimit, v)
		}
		f.limit = n
	}
	if v := q.Get("status"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 100 || n > 599 {
			return f, dayu.Errorf(dayu.EINVALID, "status: must be an HTTP status, got %q", v)
		}
		f.status = n
	}
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return f, dayu.Errorf(dayu.EINVALID, "since: must be an RFC 3339 time such as 2026-12-01T10:00:00Z, got %q", v)
		}
		f.since = t
	}
	if f.operation != "" && !f.operation.Known() {
		return f, dayu.Errorf(dayu.EINVALID, "operation: %q is not an operation Dayu serves", f.operation)
	}
	return f, nil
}

// decodeAdminObject reads an admin API body strictly: unknown fields are
// refused by name, since in a hand-written rule they are typos.
func decodeAdminObject(body []byte, v any) error {
	if err := decodeObject(body, v); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			return dayu.Errorf(dayu.EINVALID, "body: malformed JSON: %v", err)
		}
		return dayu.Errorf(dayu.EINVALID, "body: %v", err)
	}
	return nil
}

// domain is the id of the world's domain named by id or name.
func (s *Server) domain(idOrName string) (string, error) {
	if d := s.Service.World.DomainByID(idOrName); d != nil {
		return d.ID, nil
	}
	if d := s.Service.World.DomainByName(idOrName); d != nil {
		return d.ID, nil
	}
	return "", dayu.Errorf(dayu.ENOTFOUND, "domain %q does not exist", idOrName)
}
