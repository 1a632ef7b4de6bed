// Package auth decides who a request comes from: it issues and checks IAM
// tokens, and checks AK/SK signatures (package signature). It knows the
// world's users and keys, never the store: checking a request costs no
// database round trip.
package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/dayu-emu/dayu"
)

// TokenTTL is how long a token lives, as on Huawei Cloud.
const TokenTTL = 24 * time.Hour

// Claims is what a token says: who, which scope, and when it expires.
// Tokens are self-contained and signed with a key kept in the store (as
// Keystone's Fernet tokens are), so any node that shares the store accepts
// any node's tokens, restarts included, without a lookup per request.
type Claims struct {
	UserID    string   `json:"u"`
	DomainID  string   `json:"d"`
	ProjectID string   `json:"p,omitempty"`
	Methods   []string `json:"m"`
	IssuedAt  int64    `json:"i"` // unix milliseconds
	ExpiresAt int64    `json:"e"` // unix milliseconds
}

// tokenPrefix marks our tokens and their format version.
const tokenPrefix = "dayu1."

var b64 = base64.RawURLEncoding.Strict() // one spelling per token: no malleable padding bits

func (a *Authority) sealToken(c Claims) string {
	payload, _ := json.Marshal(c) // cannot fail: plain strings and numbers
	body := tokenPrefix + b64.EncodeToString(payload)
	return body + "." + b64.EncodeToString(a.mac(body))
}

// OpenToken checks a token's signature and expiry and returns its claims.
func (a *Authority) OpenToken(token string) (Claims, error) {
	bad := dayu.Errorf(dayu.EUNAUTHORIZED, "Incorrect IAM authentication information: the token is not valid")
	// Only the characters of base64url and the dots: the decoder would skip
	// \r and \n, letting one token be spelled many ways.
	if !strings.HasPrefix(token, tokenPrefix) || strings.IndexFunc(token, notTokenChar) >= 0 {
		return Claims{}, bad
	}
	dot := strings.LastIndexByte(token, '.')
	if dot < len(tokenPrefix) {
		return Claims{}, bad
	}
	sig, err := b64.DecodeString(token[dot+1:])
	if err != nil || !hmac.Equal(sig, a.mac(token[:dot])) {
		return Claims{}, bad
	}
	payload, err := b64.DecodeString(token[len(tokenPrefix):dot])
	if err != nil {
		return Claims{}, bad
	}
	var c Claims
	if err := json.Unmarshal(payload, &c); err != nil {
		return Claims{}, bad
	}
	if a.Clocks.Now(c.DomainID).UnixMilli() >= c.ExpiresAt {
		return Claims{}, dayu.Errorf(dayu.ETOKENEXPIRED, "The token has expired: get a new one from POST /v3/auth/tokens")
	}
	return c, nil
}

func notTokenChar(r rune) bool {
	return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
}

func (a *Authority) mac(s string) []byte {
	m := hmac.New(sha256.New, a.key)
	m.Write([]byte(s))
	return m.Sum(nil)
}
