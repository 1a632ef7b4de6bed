package http_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dayu-emu/dayu"
	dayuhttp "github.com/dayu-emu/dayu/http"
	"github.com/dayu-emu/dayu/node"
)

// stallingStore stops answering while stalled, as a database whose
// network hangs: every call waits until its caller gives up.
type stallingStore struct {
	dayu.Store
	stalled atomic.Bool
}

func (s *stallingStore) wait(ctx context.Context) error {
	if !s.stalled.Load() {
		return nil
	}
	<-ctx.Done()
	return ctx.Err()
}

func (s *stallingStore) Ping(ctx context.Context) error {
	if err := s.wait(ctx); err != nil {
		return err
	}
	return s.Store.Ping(ctx)
}

func (s *stallingStore) ListInstances(ctx context.Context, project string, p dayu.Page, now time.Time) ([]*dayu.Instance, int, error) {
	if err := s.wait(ctx); err != nil {
		return nil, 0, err
	}
	return s.Store.ListInstances(ctx, project, p, now)
}

func (s *stallingStore) CreatePurchase(ctx context.Context, o *dayu.Order, i *dayu.Instance) error {
	if err := s.wait(ctx); err != nil {
		return err
	}
	return s.Store.CreatePurchase(ctx, o, i)
}

// TestStalledStore: served as dayu serve serves (http.Serve and its write
// timeout), a request to a store that stopped answering gets a 500
// DAYU.3531 within the request timeout, never a dropped connection, and
// /readyz a 503 within its bound.
func TestStalledStore(t *testing.T) {
	const requestTimeout = 500 * time.Millisecond
	store := &stallingStore{}
	s := newServer(t, func(c *node.Config) {
		store.Store = c.Store
		c.Store, c.RequestTimeout = store, requestTimeout
	})
	tok := s.token(q.ProjectID)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- dayuhttp.Serve(ctx, ln, s.node.Handler(), slog.New(slog.NewTextHandler(io.Discard, nil)), dayuhttp.Timeouts{Write: 2 * requestTimeout, Shutdown: time.Second})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	live := *s
	live.URL = "http://" + ln.Addr().String()
	live.client = &http.Client{Transport: s.client.Transport, Timeout: 10 * time.Second}

	store.stalled.Store(true)
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"GET", listPath(q.ProjectID), nil},
		{"POST", purchasePath(q.ProjectID), purchaseBody(testEPS(1))},
	} {
		start := time.Now()
		r := live.do(c.method, c.path, c.body, "X-Auth-Token", tok)
		wantError(t, r, http.StatusInternalServerError, "DAYU.3531", "")
		if took := time.Since(start); took < requestTimeout || took >= 2*requestTimeout {
			t.Errorf("%s %s answered after %s, want the request timeout %s", c.method, c.path, took, requestTimeout)
		}
	}
	r := live.do("GET", "/readyz", nil)
	if r.status != http.StatusServiceUnavailable {
		t.Errorf("/readyz on a stalled store: %d %s, want 503", r.status, r.body)
	}
	store.stalled.Store(false)
	if r := live.do("GET", "/readyz", nil); r.status != http.StatusOK {
		t.Errorf("/readyz once the store answers again: %d %s", r.status, r.body)
	}
	if n := live.count(tok, q.ProjectID); n != 0 {
		t.Errorf("the list has %d instances: the stalled purchase was stored", n)
	}
}
