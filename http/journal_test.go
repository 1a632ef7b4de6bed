package http

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dayu-emu/dayu"
)

// TestJournalBound: under concurrent writers the ring keeps its size and
// gives the newest first.
func TestJournalBound(t *testing.T) {
	j := NewJournal(100)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for n := range 1000 {
				j.add(journalEntry{requestID: fmt.Sprintf("%d-%d", w, n), time: time.Now(), operation: dayu.OpPayForDgcOneKey})
			}
		})
	}
	wg.Wait()
	if j.Len() != 100 {
		t.Errorf("Len = %d after 8,000 requests, want 100", j.Len())
	}
	j.add(journalEntry{requestID: "last", time: time.Now(), operation: dayu.OpListDataArtsStudioInstances, status: 200})
	got := j.list(journalFilter{limit: 1000})
	if len(got) != 100 || got[0].requestID != "last" {
		t.Errorf("list: %d entries, first %q; want 100, the last request first", len(got), got[0].requestID)
	}
	if got := j.list(journalFilter{limit: 10, operation: dayu.OpListDataArtsStudioInstances}); len(got) != 1 {
		t.Errorf("by operation: %d entries, want 1", len(got))
	}
	if got := j.list(journalFilter{limit: 10, status: 500}); len(got) != 0 {
		t.Errorf("by status: %d entries, want 0", len(got))
	}
}

func TestJournalRedaction(t *testing.T) {
	for _, c := range []struct {
		body, want string
	}{
		{`{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"dev","password":"hunter2"}}}}}`,
			`{"auth":{"identity":{"methods":["password"],"password":"[redacted]"}}}`},
		{`{"auth":{"identity":{"methods":["token"],"token":{"id":"dayu1.abc.def"}}}}`,
			`{"auth":{"identity":{"methods":["token"],"token":"[redacted]"}}}`},
		{`{"access":"AK1","secret_key":"s","items":[{"SecurityToken":"t","n":1.50}]}`,
			`{"access":"AK1","items":[{"SecurityToken":"[redacted]","n":1.50}],"secret_key":"[redacted]"}`},
		{`{"region_id":"cn-north-4"}`, `{"region_id":"cn-north-4"}`},
		{`password=hunter2`, `"[16 bytes, not JSON]"`},
		{`{"a":1} {"password":"x"}`, `"[24 bytes, not JSON]"`},
		{`{"password":"` + strings.Repeat("x", MaxJournalBody) + `"}`, fmt.Sprintf(`"[%d bytes, over the journal's %d]"`, MaxJournalBody+15, MaxJournalBody)},
	} {
		if got := string(keep([]byte(c.body)).shown()); got != c.want {
			t.Errorf("%.60s:\n got %s\nwant %s", c.body, got, c.want)
		}
	}
	if got := redactQuery("limit=10&X-Auth-Token=abc&offset=0"); got != "X-Auth-Token=%5Bredacted%5D&limit=10&offset=0" {
		t.Errorf("redactQuery = %s", got)
	}
}
