package load

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// NextFunc fills t with the n-th request of a run (n from 0). It is called
// from every connection's goroutine at once. An error ends the run: a
// scenario that has no more requests to give (ErrExhausted) says so.
type NextFunc func(n uint64, t *vegeta.Target) error

// ErrExhausted ends a run whose scenario ran out of requests to make.
var ErrExhausted = errors.New("the scenario ran out of requests (raise --eps)")

// RunConfig is one load run: Connections connections, each sending its next
// request as soon as its last one is answered (a closed loop, vegeta at an
// unbounded rate with that many workers), for Duration.
type RunConfig struct {
	BaseURL     string
	Connections int
	Duration    time.Duration
	// Expect is the status of a successful answer.
	Expect int
	Next   NextFunc
}

// Run runs the load and returns its figures. It stops at cfg.Duration (the
// requests in flight then are answered and counted), when ctx ends, or when
// Next fails; a failure of Next other than ErrExhausted is returned.
func Run(ctx context.Context, cfg RunConfig) (Summary, error) {
	if err := CheckLoopback(cfg.BaseURL); err != nil {
		return Summary{}, err
	}
	if cfg.Connections < 1 || cfg.Duration <= 0 {
		return Summary{}, fmt.Errorf("load: need at least one connection and a positive duration")
	}
	n := uint64(cfg.Connections)
	atk := vegeta.NewAttacker(
		vegeta.Workers(n), vegeta.MaxWorkers(n),
		vegeta.Connections(cfg.Connections), vegeta.MaxConnections(cfg.Connections),
		vegeta.KeepAlive(true), vegeta.HTTP2(false), vegeta.Redirects(vegeta.NoFollow),
		vegeta.Timeout(30*time.Second), vegeta.MaxBody(4<<20),
	)
	var seq atomic.Uint64
	var failed atomic.Pointer[error] // the first error of Next
	targeter := func(t *vegeta.Target) error {
		*t = vegeta.Target{}
		if err := cfg.Next(seq.Add(1)-1, t); err != nil {
			failed.CompareAndSwap(nil, &err)
			return err
		}
		t.URL = cfg.BaseURL + t.URL
		return nil
	}
	rec := &Recorder{Expect: cfg.Expect}
	start := time.Now()
	results := atk.Attack(targeter, vegeta.ConstantPacer{}, cfg.Duration, "")
	stop := context.AfterFunc(ctx, func() { atk.Stop() })
	defer stop()
	for r := range results {
		if r.Method == "" && r.Error != "" {
			continue // Next failed: no request was made
		}
		rec.Add(r.Latency, int(r.Code), r.Body, r.Error)
	}
	s := rec.Summary(time.Since(start))
	var nextErr error
	if p := failed.Load(); p != nil {
		nextErr = *p
	}
	if nextErr != nil && !errors.Is(nextErr, ErrExhausted) {
		return s, nextErr
	}
	if errors.Is(nextErr, ErrExhausted) {
		if s.Errors == nil {
			s.Errors = map[string]int{}
		}
		s.Errors["bench: ended early, out of enterprise projects (raise --eps)"]++
	}
	return s, ctx.Err()
}

// CheckLoopback refuses a base URL that is not on the loopback interface:
// the tool loads this machine only.
func CheckLoopback(base string) error {
	u, err := url.Parse(base)
	if err != nil {
		return fmt.Errorf("load: %q: %w", base, err)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("load: %q is not a loopback address: dayu bench loads 127.0.0.1 only", base)
}
