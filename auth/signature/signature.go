// Package signature verifies Huawei Cloud SDK-HMAC-SHA256 request
// signatures exactly as the real SDKs (huaweicloud-sdk-go-v3 and
// chnsz/golangsdk) compute them, so those clients work unmodified against
// this emulator. See docs/contract.md §7.
package signature

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Algorithm is the scheme name that starts the header.
const Algorithm = "SDK-HMAC-SHA256"

// DateHeader carries the signing time; it is part of the string to sign, so
// it is what the skew check must look at.
const DateHeader = "X-Sdk-Date"

// DateLayout is the Go layout of DateHeader (always UTC).
const DateLayout = "20060102T150405Z"

// MaxSkew is how far DateHeader may be from the verifier's clock, either
// way, before a request is refused, as the real API gateway does.
const MaxSkew = 15 * time.Minute

// contentHashHeader, when sent, replaces the body hash in the canonical
// request (V3 sends UNSIGNED-PAYLOAD for non-JSON bodies).
const contentHashHeader = "X-Sdk-Content-Sha256"

// unsignedPayload is the only value of contentHashHeader the SDKs send.
const unsignedPayload = "UNSIGNED-PAYLOAD"

// scopeTerminator ends the credential scope of the Credential= form.
const scopeTerminator = "sdk_request"

// Errors returned by ParseAuthorization and Verify; match them with
// errors.Is. None of them ever carries the expected signature or the secret.
var (
	// ErrMalformed means the Authorization header cannot be parsed.
	ErrMalformed = errors.New("malformed SDK-HMAC-SHA256 Authorization header")
	// ErrMissingDate means X-Sdk-Date is absent or not in DateLayout.
	ErrMissingDate = errors.New("missing or invalid X-Sdk-Date header (want UTC " + DateLayout + ")")
	// ErrSkew means X-Sdk-Date is more than MaxSkew away from now.
	ErrSkew = errors.New("X-Sdk-Date is more than 15 minutes away from the server clock")
	// ErrMismatch means the request does not hash to the signature sent.
	ErrMismatch = errors.New("request signature does not match")
)

// Authorization is a parsed SDK-HMAC-SHA256 Authorization header.
type Authorization struct {
	AccessKey     string
	SignedHeaders []string // lowercase, as listed
	Signature     string   // lowercase hex as sent
	Scope         *Scope   // nil for the Access= form
}

// Scope is the credential scope of the older Credential= form.
type Scope struct{ Date, Region, Service string } // Date is YYYYMMDD

// ParseAuthorization parses "SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b,
// Signature=hex" or its Credential=AK/date/region/service/sdk_request form.
// The three parameters may come in any order but each exactly once.
func ParseAuthorization(header string) (Authorization, error) {
	var a Authorization
	rest, ok := strings.CutPrefix(header, Algorithm+" ")
	if !ok {
		return a, fmt.Errorf("%w: does not start with %q", ErrMalformed, Algorithm+" ")
	}
	var cred, signed string
	seen := map[string]bool{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || v == "" {
			return a, fmt.Errorf("%w: parameter %q is not key=value", ErrMalformed, part)
		}
		if seen[k] {
			return a, fmt.Errorf("%w: parameter %s given twice", ErrMalformed, k)
		}
		seen[k] = true
		switch k {
		case "Access", "Credential":
			cred = v
		case "SignedHeaders":
			signed = v
		case "Signature":
			a.Signature = v
		default:
			return a, fmt.Errorf("%w: unknown parameter %q", ErrMalformed, k)
		}
	}
	switch {
	case seen["Access"] == seen["Credential"]:
		return a, fmt.Errorf("%w: need exactly one of Access= or Credential=", ErrMalformed)
	case signed == "":
		return a, fmt.Errorf("%w: missing SignedHeaders=", ErrMalformed)
	case !isLowerHex(a.Signature):
		return a, fmt.Errorf("%w: Signature= must be 64 lowercase hex digits", ErrMalformed)
	}
	for _, h := range strings.Split(signed, ";") {
		if h == "" || strings.ContainsAny(h, " \t\r\n:") {
			return a, fmt.Errorf("%w: bad header name %q in SignedHeaders=", ErrMalformed, h)
		}
		a.SignedHeaders = append(a.SignedHeaders, strings.ToLower(h))
	}
	if seen["Access"] {
		a.AccessKey = cred
		return a, nil
	}
	// Region may legitimately be empty: some clients sign global services
	// with an empty region (date//service/sdk_request).
	p := strings.Split(cred, "/")
	if len(p) != 5 || p[0] == "" || p[3] == "" || p[4] != scopeTerminator || !isDate(p[1]) {
		return a, fmt.Errorf("%w: Credential= must be AK/YYYYMMDD/region/service/%s", ErrMalformed, scopeTerminator)
	}
	a.AccessKey = p[0]
	a.Scope = &Scope{Date: p[1], Region: p[2], Service: p[3]}
	return a, nil
}

// Verify checks r's signature (body = the exact request body bytes) against
// secret at time now. The signed-header list comes from a, never from a
// fixed set, because GSDK and V3 sign different headers.
func Verify(r *http.Request, body []byte, a Authorization, secret string, now time.Time) error {
	date := r.Header.Get(DateHeader)
	t, err := time.Parse(DateLayout, date)
	if err != nil {
		return ErrMissingDate
	}
	if d := now.Sub(t); d > MaxSkew || d < -MaxSkew {
		return fmt.Errorf("%w: X-Sdk-Date %s is %s off", ErrSkew, date, d.Abs())
	}
	key := []byte(secret)
	scope := ""
	if a.Scope != nil {
		if a.Scope.Date != date[:8] {
			return fmt.Errorf("%w: credential scope date %s is not the date of X-Sdk-Date %s", ErrMismatch, a.Scope.Date, date)
		}
		key = deriveKey(secret, *a.Scope)
		scope = scopeString(*a.Scope)
	}
	// A client-supplied hash would otherwise let a replayed request carry a
	// different body while keeping the original canonical request.
	if v := r.Header.Values(contentHashHeader); len(v) > 0 && v[0] != unsignedPayload && !strings.EqualFold(v[0], hashHex(body)) {
		return fmt.Errorf("%w: %s does not match the body", ErrMismatch, contentHashHeader)
	}
	want := sign(key, stringToSign(r, body, a.SignedHeaders, date, scope))
	if !hmac.Equal([]byte(want), []byte(a.Signature)) {
		return fmt.Errorf("%w (signed headers: %s)", ErrMismatch, strings.Join(a.SignedHeaders, ";"))
	}
	return nil
}

// Sign signs r as the SDKs do in the Access= form, setting X-Sdk-Date (from
// now) and Authorization; signedHeaders are lowercase names, used in the
// order given; used by tests, examples and the load tool.
func Sign(r *http.Request, body []byte, accessKey, secret string, signedHeaders []string, now time.Time) {
	if r.Header == nil {
		r.Header = http.Header{}
	}
	date := now.UTC().Format(DateLayout)
	r.Header.Set(DateHeader, date)
	sig := sign([]byte(secret), stringToSign(r, body, signedHeaders, date, ""))
	r.Header.Set("Authorization", fmt.Sprintf("%s Access=%s, SignedHeaders=%s, Signature=%s",
		Algorithm, accessKey, strings.Join(signedHeaders, ";"), sig))
}

// stringToSign builds "SDK-HMAC-SHA256\n{date}\n[{scope}\n]{hash}"; the
// scope line only exists in the Credential= form.
func stringToSign(r *http.Request, body []byte, signedHeaders []string, date, scope string) string {
	s := Algorithm + "\n" + date + "\n"
	if scope != "" {
		s += scope + "\n"
	}
	return s + hashHex([]byte(canonicalRequest(r, body, signedHeaders)))
}

// canonicalRequest rebuilds the six-part canonical request from what was
// received.
func canonicalRequest(r *http.Request, body []byte, signedHeaders []string) string {
	path, query := "", map[string][]string{}
	if r.URL != nil {
		path, query = r.URL.Path, r.URL.Query()
	}
	payload := hashHex(body)
	if v := r.Header.Values(contentHashHeader); len(v) > 0 {
		payload = v[0]
	}
	return strings.Join([]string{
		r.Method,
		canonicalURI(path),
		canonicalQuery(query),
		canonicalHeaders(r, signedHeaders),
		strings.Join(signedHeaders, ";"),
		payload,
	}, "\n")
}

// canonicalURI escapes each path segment and always ends in "/", as the SDKs
// do even for paths that have no trailing slash.
func canonicalURI(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		segs[i] = escape(s)
	}
	u := strings.Join(segs, "/")
	if !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u
}

// canonicalQuery sorts keys, then each key's values, as the SDKs do.
func canonicalQuery(q map[string][]string) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		vs := append([]string(nil), q[k]...)
		sort.Strings(vs)
		for _, v := range vs {
			parts = append(parts, escape(k)+"="+escape(v))
		}
	}
	return strings.Join(parts, "&")
}

// canonicalHeaders emits "name:value\n" per value of each signed header, in
// the listed order. Values are trimmed before sorting: a server only ever
// sees trimmed values, so Sign must order them the same way. Go keeps Host
// out of r.Header, hence the special case.
func canonicalHeaders(r *http.Request, signedHeaders []string) string {
	var b strings.Builder
	for _, name := range signedHeaders {
		vs := []string{r.Host}
		if name != "host" {
			vs = r.Header.Values(name)
		}
		trimmed := make([]string, len(vs))
		for i, v := range vs {
			trimmed[i] = strings.TrimSpace(v)
		}
		sort.Strings(trimmed)
		for _, v := range trimmed {
			b.WriteString(name + ":" + v + "\n")
		}
	}
	return b.String()
}

// escape percent-encodes every byte outside A-Za-z0-9_-~. with uppercase hex.
func escape(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '~' || c == '.' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// scopeString renders the credential scope line of the Credential= form.
func scopeString(s Scope) string {
	return s.Date + "/" + s.Region + "/" + s.Service + "/" + scopeTerminator
}

// deriveKey chains HMACs from "SDK"+secret over date, region, service and
// "sdk_request", so a leaked signing key is bound to one day and service.
func deriveKey(secret string, s Scope) []byte {
	k := []byte("SDK" + secret)
	for _, msg := range []string{s.Date, s.Region, s.Service, scopeTerminator} {
		k = hmacSHA256(k, msg)
	}
	return k
}

func sign(key []byte, stringToSign string) string {
	return hex.EncodeToString(hmacSHA256(key, stringToSign))
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

func hashHex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func isLowerHex(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !('0' <= s[i] && s[i] <= '9' || 'a' <= s[i] && s[i] <= 'f') {
			return false
		}
	}
	return true
}

func isDate(s string) bool {
	_, err := time.Parse("20060102", s)
	return err == nil
}
