package http

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/dayu-emu/dayu"
)

// Journal is the request journal: the last API requests this node served,
// with their bodies, for the question "what did my Terraform run send?".
// It is a ring of fixed size, so load cannot grow it. Bodies are kept as
// they came and redacted when read, which keeps the request path to a copy.
type Journal struct {
	mu      sync.Mutex
	entries []journalEntry
	next    int // where the next entry goes
	full    bool
}

// MaxJournalBody is the most of a body the journal keeps; a larger body is
// noted by its size.
const MaxJournalBody = 16 << 10

// journalEntry is one request as the journal keeps it.
type journalEntry struct {
	time        time.Time
	requestID   string
	operation   dayu.Operation
	method      string
	path, query string
	status      int
	latency     time.Duration
	errorCode   string
	projectID   string
	caller      string // a user or an access key id, never a secret
	faultRule   string
	lost        bool // the answer was never sent (a fault rule hung up)
	request     body
	response    body
}

// body is a bounded copy of a request or response body.
type body struct {
	b    []byte // nil when over MaxJournalBody
	size int
}

func keep(b []byte) body {
	if len(b) > MaxJournalBody {
		return body{size: len(b)}
	}
	return body{b: bytes.Clone(b), size: len(b)}
}

// NewJournal returns a journal of size entries.
func NewJournal(size int) *Journal {
	return &Journal{entries: make([]journalEntry, max(size, 1))}
}

func (j *Journal) add(e journalEntry) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.entries[j.next] = e
	j.next = (j.next + 1) % len(j.entries)
	j.full = j.full || j.next == 0
}

// Len is how many entries the journal holds.
func (j *Journal) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.full {
		return len(j.entries)
	}
	return j.next
}

// entry is the journal's record of the call, which answered a (or, lost,
// answered nothing).
func (c *call) entry(a answer, start time.Time, lost bool) journalEntry {
	e := journalEntry{
		time: start, requestID: c.header.Get(headerRequestID), operation: c.op,
		method: c.r.Method, path: c.r.URL.Path, query: c.r.URL.RawQuery,
		status: a.status, latency: time.Since(start), errorCode: a.code,
		projectID: c.project, request: keep(c.body), response: keep(a.body),
	}
	if e.projectID == "" {
		e.projectID = c.caller.ProjectID
	}
	switch {
	case c.caller.AccessKey != "":
		e.caller = "access key " + c.caller.AccessKey + " of user " + c.caller.UserName
	case c.caller.UserName != "":
		e.caller = "user " + c.caller.UserName
	}
	if c.fault != nil {
		e.faultRule, e.lost = c.fault.ID, lost
	}
	return e
}

// journalFilter selects entries: the zero value selects all.
type journalFilter struct {
	operation dayu.Operation
	projectID string
	status    int
	since     time.Time
	limit     int
}

// list returns the entries that match f, newest first.
func (j *Journal) list(f journalFilter) []journalEntry {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := j.next
	if j.full {
		n = len(j.entries)
	}
	var out []journalEntry
	for k := 1; k <= n && len(out) < f.limit; k++ {
		e := j.entries[(j.next-k+len(j.entries))%len(j.entries)]
		if (f.operation != "" && e.operation != f.operation) || (f.projectID != "" && e.projectID != f.projectID) ||
			(f.status != 0 && e.status != f.status) || e.time.Before(f.since) {
			continue
		}
		out = append(out, e)
	}
	return out
}

// secretKey reports whether a JSON key or query parameter names something
// that must never be shown: passwords, tokens, secret keys, signatures.
func secretKey(k string) bool {
	k = strings.ToLower(k)
	for _, s := range []string{"password", "secret", "token", "signature", "authorization", "credential", "private"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return k == "sk"
}

// redacted marks what the journal never shows.
const redacted = "[redacted]"

// shown is a body as the journal shows it: the JSON with every secret
// replaced, or, for a body it cannot read as JSON (and so cannot redact),
// a note of its size.
func (b body) shown() json.RawMessage {
	switch {
	case b.size == 0:
		return nil
	case b.b == nil:
		return noteJSON("%d bytes, over the journal's %d", b.size, MaxJournalBody)
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(b.b))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil || dec.More() {
		return noteJSON("%d bytes, not JSON", b.size)
	}
	out, err := json.Marshal(redact(v))
	if err != nil {
		return noteJSON("%d bytes", b.size)
	}
	return out
}

func noteJSON(format string, args ...any) json.RawMessage {
	b, _ := json.Marshal("[" + fmt.Sprintf(format, args...) + "]")
	return b
}

// redact replaces the value of every secret key, at any depth.
func redact(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if secretKey(k) {
				v[k] = redacted
			} else {
				v[k] = redact(x)
			}
		}
	case []any:
		for n, x := range v {
			v[n] = redact(x)
		}
	}
	return v
}

// redactQuery hides the values of secret query parameters.
func redactQuery(raw string) string {
	if raw == "" {
		return ""
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return "[not a query: " + fmt.Sprint(len(raw)) + " bytes]"
	}
	for k := range q {
		if secretKey(k) {
			q[k] = []string{redacted}
		}
	}
	return q.Encode()
}
