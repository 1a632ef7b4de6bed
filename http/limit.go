package http

import (
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/dayu-emu/dayu"
)

// clientLimiter keeps one token bucket per key (a client address, a user),
// as the API gateway throttles per caller. Buckets idle for a while are
// forgotten.
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
	pending int // attempts begun that may still take a token (see begin)
}

// forgetAfter is how long a quiet client keeps its bucket.
const forgetAfter = time.Minute

func newClientLimiter(perSecond float64, burst int) *clientLimiter {
	return &clientLimiter{rate: rate.Limit(perSecond), burst: max(burst, 1), by: map[string]*clientBucket{}}
}

// bucket returns key's bucket, made full when new; l.mu must be held.
func (l *clientLimiter) bucket(key string, now time.Time) *clientBucket {
	if now.Sub(l.swept) > forgetAfter {
		for k, b := range l.by {
			if now.Sub(b.seen) > forgetAfter {
				delete(l.by, k)
			}
		}
		l.swept = now
	}
	b := l.by[key]
	if b == nil {
		b = &clientBucket{limiter: rate.NewLimiter(l.rate, l.burst)}
		l.by[key] = b
	}
	b.seen = now
	return b
}

func (l *clientLimiter) allow(key string) bool {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.bucket(key, now).limiter.AllowN(now, 1)
}

// begin starts an attempt that takes a token only if it ends badly
// (end(true)): a failed login. It is refused when the tokens left would
// not cover it and the attempts still running, so that attempts made at
// once cannot outrun the bucket either.
func (l *clientLimiter) begin(key string) (end func(take bool), ok bool) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(key, now)
	if b.limiter.TokensAt(now) < float64(b.pending+1) {
		return nil, false
	}
	b.pending++
	return func(take bool) {
		l.mu.Lock()
		defer l.mu.Unlock()
		b.pending--
		if take {
			b.limiter.AllowN(time.Now(), 1)
		}
	}, true
}

// clientAddress is the address a request comes from, without its port.
func clientAddress(r *http.Request) string {
	client, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return client
}

// throttle answers 429 APIGW.0308 to a client over its rate. The health
// checks are never throttled: a load balancer must see the truth.
func (l *clientLimiter) throttle(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		client := clientAddress(r)
		if r.URL.Path != healthPath && r.URL.Path != readyPath && !l.allow(client) {
			w.Header().Set("Retry-After", "1")
			writeError(w, r, dataArts, dayu.Errorf(dayu.ETHROTTLED, "Too many requests from %s: at most %g a second", client, float64(l.rate)))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Failed password logins are limited per client address and per user,
// always: a login is let through to its password check (bcrypt, slow on
// purpose) only while both buckets hold a token for it, and a wrong
// password takes them. So wrong passwords cost a client, or a user, a small
// burst and then a few a second however they are spread or timed, and
// right ones cost nothing.
const (
	loginClientBurst, loginClientRate = 10, 2.0 // per client address
	loginUserBurst, loginUserRate     = 5, 1.0  // per user
)

// loginLimiter holds the buckets of failed logins.
type loginLimiter struct {
	byClient, byUser *clientLimiter
}

func newLoginLimiter() *loginLimiter {
	return &loginLimiter{byClient: newClientLimiter(loginClientRate, loginClientBurst), byUser: newClientLimiter(loginUserRate, loginUserBurst)}
}

// begin starts a login, or fails with ETHROTTLED when the client's or the
// user's bucket has no token left for it; end says whether it failed.
func (l *loginLimiter) begin(client, user string) (end func(failed bool), err error) {
	throttled := dayu.Errorf(dayu.ETHROTTLED, "Too many failed logins: try again later.")
	endClient, ok := l.byClient.begin(client)
	if !ok {
		return nil, throttled
	}
	endUser, ok := l.byUser.begin(user)
	if !ok {
		endClient(false)
		return nil, throttled
	}
	return func(failed bool) {
		endClient(failed)
		endUser(failed)
	}, nil
}
