package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/node"
	"github.com/dayu-emu/dayu/sqlite"
)

// BenchmarkPurchase measures a whole purchase through the handler (token
// check, decode, validate, group commit to SQLite with fsync) beside
// BenchmarkPurchaseNoop, the baseline: a handler that only decodes the same
// JSON and answers. Compare the two of one run (benchstat), not figures
// across machines. Run with -cpu to vary the concurrency.
func BenchmarkPurchase(b *testing.B) {
	h, token := benchServer(b)
	benchPurchases(b, h, token)
}

// BenchmarkPurchaseJournal is what the request journal and the fault rules
// (none: the common case) cost a purchase: on the in-memory store, so that
// no fsync hides the CPU they take, with the journal off and on. The
// fault book is always there; with no rule it is one atomic load.
func BenchmarkPurchaseJournal(b *testing.B) {
	for _, size := range []int{0, 1000} {
		b.Run(fmt.Sprintf("journal=%d", size), func(b *testing.B) {
			store, err := sqlite.OpenMemory(context.Background(), sqlite.DefaultOptions())
			if err != nil {
				b.Fatal(err)
			}
			h, token := benchNode(b, node.Config{Store: store, JournalSize: size})
			benchPurchases(b, h, token)
		})
	}
}

// BenchmarkPurchaseNoMetrics is BenchmarkPurchase with the metrics off
// (dayu serve --metrics=false): the difference is what they cost.
func BenchmarkPurchaseNoMetrics(b *testing.B) {
	h, token := benchServer(b, func(c *node.Config) { c.NoMetrics = true })
	benchPurchases(b, h, token)
}

func BenchmarkPurchaseNoop(b *testing.B) {
	benchPurchases(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var v map[string]any
		if err := json.NewDecoder(r.Body).Decode(&v); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"order_id":"x","resource_id":"y"}`))
	}), "")
}

// benchPurchases sends purchases, each in an enterprise project of its
// own, many in flight as under load (they share commits), and requires 200.
func benchPurchases(b *testing.B, h http.Handler, token string) {
	var n atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(32)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w := httptest.NewRecorder()
			body := purchaseBody(fmt.Sprintf("bench-eps-%d", n.Add(1)))
			req := httptest.NewRequest("POST", purchasePath(q.ProjectID), bytes.NewReader(mustJSONB(body)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Auth-Token", token)
			h.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				b.Fatalf("%d %s", w.Code, w.Body)
			}
		}
	})
}

// BenchmarkList measures a page of 100 from a project with 1,000 instances.
func BenchmarkList(b *testing.B) {
	h, token := benchServer(b)
	for n := range 1000 {
		w := httptest.NewRecorder()
		req := httptest.NewRequest("POST", purchasePath(q.ProjectID), bytes.NewReader(mustJSONB(purchaseBody(fmt.Sprintf("list-eps-%d", n)))))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Auth-Token", token)
		h.ServeHTTP(w, req)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w := httptest.NewRecorder()
			req := httptest.NewRequest("GET", listPath(q.ProjectID)+"?limit=100", nil)
			req.Header.Set("X-Auth-Token", token)
			h.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				b.Fatalf("%d %s", w.Code, w.Body)
			}
		}
	})
}

// benchServer is the handler of a node on a fresh SQLite store whose
// world accepts any enterprise project (loose), and a token for it.
func benchServer(b *testing.B, opts ...option) (http.Handler, string) {
	store, err := sqlite.Open(context.Background(), b.TempDir(), sqlite.DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	c := node.Config{Store: store}
	for _, o := range opts {
		o(&c)
	}
	return benchNode(b, c)
}

// benchNode builds a node of c on the test world, loose, and returns its
// handler and a token.
func benchNode(b *testing.B, c node.Config) (http.Handler, string) {
	ctx := context.Background()
	doc, err := testWorld()
	if err != nil {
		b.Fatal(err)
	}
	file, err := dayu.ReadWorldFile(doc)
	if err != nil {
		b.Fatal(err)
	}
	c.World, c.Timings, c.Loose = file, dayu.DefaultTimings, true
	n, err := node.New(ctx, c)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { n.Close() })
	w := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/v3/auth/tokens", bytes.NewReader(mustJSONB(passwordAuth(projectScope(q.ProjectID)))))
	req.Header.Set("Content-Type", "application/json")
	n.Handler().ServeHTTP(w, req)
	if w.Code != http.StatusCreated {
		b.Fatalf("token: %d %s", w.Code, w.Body)
	}
	return n.Handler(), w.Header().Get("X-Subject-Token")
}

func mustJSONB(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// BenchmarkHealthzDuringWrongLogins measures /healthz while 48 goroutines
// send wrong logins without pause, each from an address and for a user of
// its own (so no failed-login budget stops them: only the bound on
// password checks at once does), beside BenchmarkHealthz, the same without
// them.
func BenchmarkHealthzDuringWrongLogins(b *testing.B) {
	h, _ := benchServer(b)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var n atomic.Int64
	for range 48 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				k := n.Add(1)
				req := httptest.NewRequest("POST", "/v3/auth/tokens", bytes.NewReader(mustJSONB(loginBody(fmt.Sprintf("nobody-%d", k), "wrong"))))
				req.Header.Set("Content-Type", "application/json")
				req.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:1234", k>>16&255, k>>8&255, k&255)
				h.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	}
	b.Cleanup(func() { close(stop); wg.Wait() })
	benchHealthz(b, h)
}

func BenchmarkHealthz(b *testing.B) {
	h, _ := benchServer(b)
	benchHealthz(b, h)
}

func benchHealthz(b *testing.B, h http.Handler) {
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/healthz", nil))
		if w.Code != http.StatusOK {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
}
