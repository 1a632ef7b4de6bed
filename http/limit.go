package http

import (
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/dayu-emu/dayu"
)

// ETHROTTLED: a client sent more requests than its rate allows.
const ETHROTTLED dayu.ErrorCode = "throttled"

// clientLimiter keeps one token bucket per client address, as the API
// gateway throttles per caller. Buckets idle for a while are forgotten.
type clientLimiter struct {
	rate  rate.Limit
	burst int
	mu    sync.Mutex
	by    map[string]*clientBucket
	swept time.Time
}

type clientBucket struct {
	limiter *rate.Limiter
	seen    time.Time
}

// forgetAfter is how long a quiet client keeps its bucket.
const forgetAfter = time.Minute

func newClientLimiter(perSecond float64, burst int) *clientLimiter {
	return &clientLimiter{rate: rate.Limit(perSecond), burst: max(burst, 1), by: map[string]*clientBucket{}}
}

func (l *clientLimiter) allow(client string) bool {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > forgetAfter {
		for k, b := range l.by {
			if now.Sub(b.seen) > forgetAfter {
				delete(l.by, k)
			}
		}
		l.swept = now
	}
	b := l.by[client]
	if b == nil {
		b = &clientBucket{limiter: rate.NewLimiter(l.rate, l.burst)}
		l.by[client] = b
	}
	b.seen = now
	return b.limiter.AllowN(now, 1)
}

// throttle answers 429 APIGW.0308 to a client over its rate.
func (l *clientLimiter) throttle(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		client, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			client = r.RemoteAddr
		}
		if !l.allow(client) {
			w.Header().Set("Retry-After", "1")
			writeError(w, r, dataArts, dayu.Errorf(ETHROTTLED, "Too many requests from %s: at most %g a second", client, float64(l.rate)))
			return
		}
		next.ServeHTTP(w, r)
	})
}
