package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/dayu-emu/dayu"
)

type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

// FuzzOpenToken feeds the token parser any string: it must never panic,
// must refuse with EUNAUTHORIZED or ETOKENEXPIRED (a 401), and must accept
// only a token it signed itself.
func FuzzOpenToken(f *testing.F) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := New(&dayu.World{}, dayu.FixedClocks(fixedClock(now)), []byte("0123456789abcdef0123456789abcdef"))
	good := a.sealToken(Claims{UserID: "u", DomainID: "d", ProjectID: "p", Methods: []string{"password"}, IssuedAt: now.UnixMilli(), ExpiresAt: now.Add(time.Hour).UnixMilli()})
	for _, seed := range []string{good, good[:len(good)-1], "dayu1.", "dayu1..", "dayu1.e30.", "dayu1.bnVsbA." + strings.Repeat("A", 43), "MIIxyz", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		c, err := a.OpenToken(token)
		switch code := dayu.ErrorCodeOf(err); {
		case err == nil && token != good:
			t.Fatalf("accepted a token it did not sign: %q -> %+v", token, c)
		case err != nil && code != dayu.EUNAUTHORIZED && code != dayu.ETOKENEXPIRED:
			t.Fatalf("refused with %v (code %s), want a 401 code", err, code)
		}
	})
}
