package load

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// The scenarios, in the order "all" runs them.
const (
	ScenarioPurchase = "purchase"
	ScenarioList     = "list"
	ScenarioToken    = "token"
)

// Scenarios lists the scenarios.
var Scenarios = []string{ScenarioPurchase, ScenarioList, ScenarioToken}

// ListLimit is the page size of the list scenario.
const ListLimit = 100

// Plan makes the requests of the scenarios against Dayu and against the
// no-op baseline, with Dayu's tokens.
type Plan struct {
	World *World
	Dayu  string // Dayu's base URL
	// Tokens are IAM tokens for the world's projects, by project id: token checks cost no database round trip, so the scenarios send
	// X-Auth-Token rather than AK/SK signatures.
	Tokens map[string]string
	// ListSize is how many instances the list scenario's project holds
	// (ListSize by default).
	ListSize int
	client   *http.Client
}

// NewPlan gets the tokens the scenarios send.
func NewPlan(ctx context.Context, w *World, dayuURL string) (*Plan, error) {
	if err := CheckLoopback(dayuURL); err != nil {
		return nil, err
	}
	p := &Plan{World: w, Dayu: dayuURL, Tokens: map[string]string{}, ListSize: ListSize, client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}}
	for _, project := range []string{w.PurchaseProject, w.ListProject, w.PreloadProject} {
		status, header, body, err := p.do(ctx, "POST", tokenPath, w.TokenBody(project), "")
		if err != nil {
			return nil, err
		}
		if status != http.StatusCreated || header.Get("X-Subject-Token") == "" {
			return nil, fmt.Errorf("token for project %s: %d %s (is the server on the bench world?)", project, status, body)
		}
		p.Tokens[project] = header.Get("X-Subject-Token")
	}
	return p, nil
}

// Prepare readies Dayu and the no-op baseline at noopURL for a scenario:
// the list scenario's project gets its p.ListSize instances, bought through
// the API with connections purchases at once (so that they share group
// commits; instances already there, of an earlier run, count), and the
// baseline gets Dayu's first page to serve.
func (p *Plan) Prepare(ctx context.Context, scenario string, connections int, noopURL string) error {
	if scenario != ScenarioList {
		return nil
	}
	if err := p.buyListInstances(ctx, connections); err != nil {
		return err
	}
	status, _, page, err := p.do(ctx, "GET", listPath(p.World.ListProject, ListLimit, 0), nil, p.Tokens[p.World.ListProject])
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("%d %s", status, page)
	}
	if err != nil {
		return fmt.Errorf("reading the list page for the baseline: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, "PUT", noopURL+noopListPagePath, bytes.NewReader(page))
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("giving the baseline its list page: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("giving the baseline its list page: %s", resp.Status)
	}
	return nil
}

// buyListInstances buys the list project's missing instances.
func (p *Plan) buyListInstances(ctx context.Context, connections int) error {
	w := p.World
	have, err := p.Count(ctx, w.ListProject)
	if err != nil {
		return err
	}
	if have >= p.ListSize {
		return nil
	}
	if p.ListSize > w.EPS {
		return fmt.Errorf("the list scenario needs %d enterprise projects; the world has %d", p.ListSize, w.EPS)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	var next atomic.Int64
	next.Store(int64(have))
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for range max(connections, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				k := int(next.Add(1) - 1)
				if k >= p.ListSize {
					return
				}
				status, _, body, err := p.do(ctx, "POST", purchasePath(w.ListProject), w.PurchaseBody(EpsID(k), "bench-list-"+strconv.Itoa(k)), p.Tokens[w.ListProject])
				if err == nil && status != http.StatusOK {
					err = fmt.Errorf("%d %s", status, body)
				}
				if err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("preparing the list scenario: purchase %d: %w", k, err)
					}
					mu.Unlock()
					cancel()
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// Count is how many instances Dayu lists in the project.
func (p *Plan) Count(ctx context.Context, project string) (int, error) {
	status, _, body, err := p.do(ctx, "GET", listPath(project, 1, 0), nil, p.Tokens[project])
	if err != nil {
		return 0, err
	}
	var list struct {
		Count *int `json:"count"`
	}
	if status != http.StatusOK || json.Unmarshal(body, &list) != nil || list.Count == nil {
		return 0, fmt.Errorf("counting the instances of project %s: %d %s", project, status, body)
	}
	return *list.Count, nil
}

// Requests returns the request maker of a scenario against base (Dayu when
// base is p.Dayu, else the no-op baseline) and the status of a successful
// answer.
//
// Purchases against Dayu take the world's enterprise projects in order,
// from the first one the purchase project does not hold yet, and end the
// run with ErrExhausted when none is left; against the baseline, which
// keeps nothing, they take them round and round. Lists read the ten pages of
// 100 of the list project in turn. Tokens are issued by password for the
// purchase project.
func (p *Plan) Requests(ctx context.Context, scenario, base string) (NextFunc, int, error) {
	w := p.World
	dayu := base == p.Dayu
	switch scenario {
	case ScenarioPurchase:
		header := http.Header{"Content-Type": {"application/json"}, "X-Auth-Token": {p.Tokens[w.PurchaseProject]}}
		start := 0
		if dayu {
			var err error
			if start, err = p.Count(ctx, w.PurchaseProject); err != nil {
				return nil, 0, err
			}
		}
		path := purchasePath(w.PurchaseProject)
		return func(n uint64, t *vegeta.Target) error {
			k := start + int(n)
			switch {
			case !dayu:
				k %= w.EPS
			case k >= w.EPS:
				return ErrExhausted
			}
			t.Method, t.URL, t.Header = "POST", path, header
			t.Body = w.PurchaseBody(EpsID(k), "bench-"+strconv.Itoa(k))
			return nil
		}, http.StatusOK, nil
	case ScenarioList:
		header := http.Header{"X-Auth-Token": {p.Tokens[w.ListProject]}}
		// The first ten pages, whatever the project holds: a page's cost
		// is what grows, or not, with the project.
		var paths [ListSize / ListLimit]string
		for i := range paths {
			paths[i] = listPath(w.ListProject, ListLimit, i*ListLimit)
		}
		return func(n uint64, t *vegeta.Target) error {
			t.Method, t.URL, t.Header = "GET", paths[n%uint64(len(paths))], header
			return nil
		}, http.StatusOK, nil
	case ScenarioToken:
		header := http.Header{"Content-Type": {"application/json"}}
		body := w.TokenBody(w.PurchaseProject)
		return func(n uint64, t *vegeta.Target) error {
			t.Method, t.URL, t.Header, t.Body = "POST", tokenPath, header, body
			return nil
		}, http.StatusCreated, nil
	}
	return nil, 0, fmt.Errorf("unknown scenario %q (purchase, list, token or all)", scenario)
}

// do sends one request to Dayu.
func (p *Plan) do(ctx context.Context, method, path string, body []byte, token string) (int, http.Header, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, p.Dayu+path, rd)
	if err != nil {
		return 0, nil, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	return resp.StatusCode, resp.Header, b, err
}
