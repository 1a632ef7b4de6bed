package load

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// maxSamples bounds the latencies a Recorder keeps (8 bytes each): far
// above what 2 cores answer in a minute.
const maxSamples = 20_000_000

// Recorder collects one load run's answers. It is not safe for concurrent
// use: one goroutine reads the runner's results.
type Recorder struct {
	// Expect is the status of a successful answer.
	Expect    int
	latencies []time.Duration
	ok        int
	total     int
	errors    map[string]int
	dropped   int
}

// Add records one answer: its latency, its status (0 when no answer came)
// and, for an error, the body it carried or the transport error.
func (r *Recorder) Add(latency time.Duration, status int, body []byte, transportErr string) {
	r.total++
	if len(r.latencies) < maxSamples {
		r.latencies = append(r.latencies, latency)
	} else {
		r.dropped++
	}
	if status == r.Expect {
		r.ok++
		return
	}
	if r.errors == nil {
		r.errors = map[string]int{}
	}
	r.errors[ErrorKey(status, body, transportErr)]++
}

// ErrorKey names an error answer for the error table: the status and the
// service's error code ("400 DAYU.4402", "401 APIGW.0301", for IAM's
// Keystone format "401 Unauthorized"), or "transport: ..." when no answer
// came.
func ErrorKey(status int, body []byte, transportErr string) string {
	if status == 0 {
		if i := strings.LastIndex(transportErr, ": "); i >= 0 {
			transportErr = transportErr[i+2:] // the cause, not the URL
		}
		return "transport: " + transportErr
	}
	var e struct {
		ErrorCode string `json:"error_code"`
		Error     *struct {
			Title string `json:"title"`
		} `json:"error"`
	}
	_ = json.Unmarshal(body, &e)
	switch {
	case e.ErrorCode != "":
		return fmt.Sprintf("%d %s", status, e.ErrorCode)
	case e.Error != nil && e.Error.Title != "":
		return fmt.Sprintf("%d %s", status, e.Error.Title)
	}
	return fmt.Sprintf("%d", status)
}

// Summary is what a load run measured.
type Summary struct {
	Requests int            `json:"requests"`
	OK       int            `json:"ok"`
	Elapsed  time.Duration  `json:"elapsed_ns"`
	PerSec   float64        `json:"ok_per_second"`
	P50      time.Duration  `json:"p50_ns"`
	P99      time.Duration  `json:"p99_ns"`
	P999     time.Duration  `json:"p999_ns"`
	Max      time.Duration  `json:"max_ns"`
	Errors   map[string]int `json:"errors,omitempty"`
}

// Summary computes the figures of the answers recorded over elapsed:
// successful answers per second, and the latency percentiles of every
// answer (errors included; they are listed apart).
func (r *Recorder) Summary(elapsed time.Duration) Summary {
	s := Summary{Requests: r.total, OK: r.ok, Elapsed: elapsed, Errors: r.errors}
	if elapsed > 0 {
		s.PerSec = float64(r.ok) / elapsed.Seconds()
	}
	sorted := slices.Clone(r.latencies)
	slices.Sort(sorted)
	s.P50, s.P99, s.P999 = Percentile(sorted, 0.50), Percentile(sorted, 0.99), Percentile(sorted, 0.999)
	if len(sorted) > 0 {
		s.Max = sorted[len(sorted)-1]
	}
	return s
}

// Percentile returns the q-quantile (0 < q <= 1) of sorted by the
// nearest-rank method: the smallest value that at least q of the values do
// not exceed. It is 0 for no values.
func Percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	// The rank is ceil(q*n); the epsilon keeps a q*n that is whole (0.99
	// of 100) from being pushed up by floating-point error.
	rank := int(math.Ceil(q*float64(len(sorted)) - 1e-9))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// FormatErrors lists errors by count, most frequent first: "400
// DAYU.4402: 12, transport: EOF: 1", or "none".
func FormatErrors(errs map[string]int) string {
	if len(errs) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(errs))
	for k := range errs {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if errs[keys[i]] != errs[keys[j]] {
			return errs[keys[i]] > errs[keys[j]]
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %d", k, errs[k])
	}
	return strings.Join(parts, ", ")
}
