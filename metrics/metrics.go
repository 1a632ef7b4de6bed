// Package metrics is a node's Prometheus metrics: the API calls by
// operation, the store's group commit and failures, the authentication
// failures, the fault rules fired, the journal, the instances and orders
// by status, and the Go runtime and process. Each node has a registry of
// its own, so that several nodes run in one process (the tests, the
// bench) without sharing series.
package metrics

import (
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/auth"
)

// Config is what a node's metrics read.
type Config struct {
	// Store is counted at scrape time and reports its commits and
	// failures when it is a dayu.ObservableStore.
	Store dayu.Store
	// Clock is the census's now: the server's clock.
	Clock dayu.Clock
	// JournalLen is how many requests the journal holds; nil: no journal.
	JournalLen func() int
	// Logger receives what fails at a scrape (a census the store cannot
	// take); nil discards it.
	Logger *slog.Logger
}

// Metrics are one node's series and their registry.
type Metrics struct {
	log         *slog.Logger
	reg         *prometheus.Registry
	ops         map[dayu.Operation]*Operation
	authFails   map[authFailure]prometheus.Counter
	storeErrors map[dayu.ErrorCode]prometheus.Counter
	batchSize   prometheus.Histogram
	commitTime  prometheus.Histogram
}

type authFailure struct {
	kind   auth.FailureKind
	reason auth.FailureReason
}

// latencyBuckets span a cached read (well under a millisecond) to a
// request that waits out the request timeout.
var latencyBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// StoreErrorClasses are the classes of dayu_store_errors_total.
var StoreErrorClasses = []dayu.ErrorCode{dayu.ETIMEOUT, dayu.EUNAVAILABLE, dayu.ECONFLICT, dayu.EINTERNAL}

// New makes the metrics of a node and registers them, with the Go runtime
// and process collectors, in a registry of their own.
func New(c Config) *Metrics {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	m := &Metrics{
		log:         c.Logger,
		reg:         prometheus.NewRegistry(),
		ops:         map[dayu.Operation]*Operation{},
		authFails:   map[authFailure]prometheus.Counter{},
		storeErrors: map[dayu.ErrorCode]prometheus.Counter{},
		batchSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "dayu_commit_batch_size", Help: "Purchases written by one group commit.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 10),
		}),
		commitTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "dayu_commit_duration_seconds", Help: "Time of one group commit, from its transaction's start to its commit (or failure).",
			Buckets: latencyBuckets,
		}),
	}
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "dayu_requests_total", Help: "API calls answered, by operation (as the V3 SDK names it) and HTTP status (lost: a fault rule hung up).",
	}, []string{"operation", "status"})
	durations := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "dayu_request_duration_seconds", Help: "Time to answer an API call, by operation.", Buckets: latencyBuckets,
	}, []string{"operation"})
	faults := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "dayu_fault_rules_fired_total", Help: "API calls a fault rule hit, by operation.",
	}, []string{"operation"})
	for _, op := range dayu.Operations {
		o := &Operation{
			requests: requests.MustCurryWith(prometheus.Labels{"operation": string(op)}),
			duration: durations.WithLabelValues(string(op)),
			faults:   faults.WithLabelValues(string(op)),
		}
		o.lost = o.requests.WithLabelValues(statusLost)
		m.ops[op] = o
	}
	authFails := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "dayu_auth_failures_total", Help: "Failed authentications, by the credential's kind and a reason of a fixed set.",
	}, []string{"kind", "reason"})
	for kind, reasons := range auth.Failures {
		for _, r := range reasons {
			m.authFails[authFailure{kind, r}] = authFails.WithLabelValues(string(kind), string(r))
		}
	}
	storeErrors := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "dayu_store_errors_total", Help: "Store failures by class: timeout, unavailable, internal (the database), conflict (a write a business rule refused).",
	}, []string{"class"})
	for _, class := range StoreErrorClasses {
		m.storeErrors[class] = storeErrors.WithLabelValues(string(class))
	}
	journalLen := c.JournalLen
	if journalLen == nil {
		journalLen = func() int { return 0 }
	}
	m.reg.MustRegister(requests, durations, faults, authFails, storeErrors,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "dayu_journal_entries", Help: "Requests the request journal holds."},
			func() float64 { return float64(journalLen()) }),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if s, ok := c.Store.(dayu.ObservableStore); ok {
		m.reg.MustRegister(m.batchSize, m.commitTime,
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "dayu_commit_queue_length", Help: "Purchases waiting for a group commit."},
				func() float64 { return float64(s.CommitQueueLength()) }),
			&census{store: s, clock: c.Clock})
		s.Observe(m)
	}
	return m
}

// Handler serves the metrics in the Prometheus text format. A census the
// store cannot take leaves those series out, not the others.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError, ErrorLog: slog.NewLogLogger(m.log.Handler(), slog.LevelWarn),
	})
}

// Operation returns the series of op; nil (whose methods do nothing) for
// nil metrics or an operation Dayu does not serve.
func (m *Metrics) Operation(op dayu.Operation) *Operation {
	if m == nil {
		return nil
	}
	return m.ops[op]
}

// AuthFailed counts a failed authentication (auth.Authority.OnFailure).
func (m *Metrics) AuthFailed(kind auth.FailureKind, reason auth.FailureReason) {
	if c := m.authFails[authFailure{kind, reason}]; c != nil {
		c.Inc()
	}
}

// Committed counts a group commit (dayu.StoreObserver).
func (m *Metrics) Committed(n int, d time.Duration) {
	m.batchSize.Observe(float64(n))
	m.commitTime.Observe(d.Seconds())
}

// Failed counts a store failure (dayu.StoreObserver).
func (m *Metrics) Failed(class dayu.ErrorCode) {
	if c := m.storeErrors[class]; c != nil {
		c.Inc()
	}
}

// statusLost is the status label of a call whose answer a fault rule
// never sent.
const statusLost = "lost"

// Operation holds one operation's series, made once, so that a call costs
// no label hashing: its duration and fault counters are fixed, and its
// counter of each status is made on the status's first call.
type Operation struct {
	requests *prometheus.CounterVec // curried with the operation
	duration prometheus.Observer
	faults   prometheus.Counter
	lost     prometheus.Counter
	byStatus [600]atomic.Pointer[prometheus.Counter]
}

// Answered counts a call answered with status (lost: never sent) after
// d.
func (o *Operation) Answered(status int, lost bool, d time.Duration) {
	if o == nil {
		return
	}
	o.duration.Observe(d.Seconds())
	if lost {
		o.lost.Inc()
		return
	}
	o.counter(status).Inc()
}

func (o *Operation) counter(status int) prometheus.Counter {
	if status < 0 || status >= len(o.byStatus) {
		return o.requests.WithLabelValues(strconv.Itoa(status))
	}
	if c := o.byStatus[status].Load(); c != nil {
		return *c
	}
	// Two first calls may both make it: the vector returns the same child.
	c := o.requests.WithLabelValues(strconv.Itoa(status))
	o.byStatus[status].Store(&c)
	return c
}

// FaultFired counts a call a fault rule hit.
func (o *Operation) FaultFired() {
	if o != nil {
		o.faults.Inc()
	}
}
