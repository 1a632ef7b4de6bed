package http

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dayu-emu/dayu"
)

// checkText refuses a request whose path, query or JSON body holds a NUL
// or text that is not UTF-8, JSON escapes included: no client means them,
// PostgreSQL refuses them and SQLite would keep the NUL, and encoding/json
// would turn a broken escape into U+FFFD without a word. It is the one
// check of every API request, before any handler sees it.
func checkText(r *http.Request, body []byte) error {
	const want = "must be UTF-8 text without NUL characters"
	if !isText(r.URL.Path) {
		return dayu.Errorf(dayu.EINVALID, "path: %s", want)
	}
	for k, vs := range r.URL.Query() {
		for _, v := range append(vs, k) {
			if !isText(v) {
				return dayu.Errorf(dayu.EINVALID, "query parameter %s: %s", strconv.QuoteToASCII(k), want)
			}
		}
	}
	if !utf8.Valid(body) || bytes.IndexByte(body, 0) >= 0 || !jsonEscapesText(body) {
		return dayu.Errorf(dayu.EINVALID, "body: %s (JSON escapes included: no \\u0000, surrogates only in pairs)", want)
	}
	return nil
}

func isText(s string) bool { return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 }

// jsonEscapesText reports whether every \u escape of a JSON text stands
// for a character other than NUL, with UTF-16 surrogates only in pairs.
// It looks at every backslash in turn, strings or not: outside a string a
// backslash is a syntax error the decoder reports anyway.
func jsonEscapesText(b []byte) bool {
	for i := bytes.IndexByte(b, '\\'); i >= 0; {
		r, ok := unicodeEscape(b[i:])
		next := i + 2 // a backslash and the character it escapes
		switch {
		case !ok:
		case r == 0:
			return false
		case utf16.IsSurrogate(r):
			low, ok := unicodeEscape(b[i+6:])
			if !ok || utf16.DecodeRune(r, low) == utf8.RuneError {
				return false
			}
			next = i + 12
		default:
			next = i + 6
		}
		if next >= len(b) {
			return true
		}
		n := bytes.IndexByte(b[next:], '\\')
		if n < 0 {
			return true
		}
		i = next + n
	}
	return true
}

// unicodeEscape reads a \uXXXX escape at the start of b.
func unicodeEscape(b []byte) (rune, bool) {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[2:6]), 16, 16)
	return rune(n), err == nil
}
