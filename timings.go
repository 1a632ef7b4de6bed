package dayu

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"sync"
	"time"
)

// Timings are the lifecycle's delays, per project (admin API) or default.
type Timings struct {
	// Provisioning: purchase to "in effect" (order 6 -> 3 -> 5, instance 1 -> 2).
	Provisioning time.Duration
	// Deletion: unsubscribe to gone from the list (instance 6 -> 3).
	Deletion time.Duration
	// Grace: after an expiry without renewal, status 5.
	Grace time.Duration
	// Retention: after the grace period, status 4 (frozen), then gone.
	Retention time.Duration
}

// DefaultTimings keep clients' wait loops exercised without slowing them:
// a few seconds to provision and delete, a month's grace and retention.
var DefaultTimings = Timings{
	Provisioning: 3 * time.Second,
	Deletion:     3 * time.Second,
	Grace:        15 * 24 * time.Hour,
	Retention:    15 * 24 * time.Hour,
}

// MaxTiming is the longest each of the Timings may be: 10 years (of 365
// days). Together they stay far from overflowing a time.Duration, which
// would turn a long grace period into none at all.
const MaxTiming = 10 * 365 * 24 * time.Hour

// CheckTiming checks one of the Timings, named name for the caller: from 0
// to MaxTiming.
func CheckTiming(name string, d time.Duration) error {
	if d < 0 || d > MaxTiming {
		return Errorf(EINVALID, "%s: must be from 0 to %.0f seconds (10 years), got %g", name, MaxTiming.Seconds(), d.Seconds())
	}
	return nil
}

// secondsDuration turns seconds, as the wire and the stored documents give
// them, into a Duration to the millisecond (what the store keeps). A value
// beyond a Duration's range saturates instead of wrapping around, so that
// the callers' bounds refuse it.
func secondsDuration(seconds float64) time.Duration {
	ms := math.Round(seconds * 1000)
	switch {
	case math.IsNaN(ms) || ms >= math.MaxInt64/float64(time.Millisecond):
		return math.MaxInt64
	case ms <= math.MinInt64/float64(time.Millisecond):
		return math.MinInt64
	}
	return time.Duration(ms) * time.Millisecond
}

// TimingsBook holds the timings of each project and the default (under
// ""), kept in the store, one record a project, so that they survive
// restarts and two nodes changing two projects at once lose neither change.
// A change applies to what is bought or unsubscribed after it.
type TimingsBook struct {
	mu    sync.RWMutex
	store Store
	base  Timings
	by    map[string]Timings
}

// LoadTimings reads the stored timings; base is the default until one is
// stored.
func LoadTimings(ctx context.Context, s Store, base Timings) (*TimingsBook, error) {
	b := &TimingsBook{store: s, base: base, by: map[string]Timings{"": base}}
	if err := b.importDocument(ctx); err != nil {
		return nil, err
	}
	return b, b.Reload(ctx)
}

// Reload reads the stored timings again, to pick up what another node set.
func (b *TimingsBook) Reload(ctx context.Context) error {
	stored, err := b.store.Timings(ctx)
	if err != nil {
		return err
	}
	next := map[string]Timings{"": b.base}
	maps.Copy(next, stored)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.by = next
	return nil
}

// For returns the timings of a project.
func (b *TimingsBook) For(projectID string) Timings {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if t, ok := b.by[projectID]; ok {
		return t
	}
	return b.by[""]
}

// Set stores the timings of a project, or the default when projectID is "".
func (b *TimingsBook) Set(ctx context.Context, projectID string, t Timings) error {
	for name, d := range map[string]time.Duration{"provisioning_seconds": t.Provisioning, "deletion_seconds": t.Deletion, "grace_seconds": t.Grace, "retention_seconds": t.Retention} {
		if err := CheckTiming(name, d); err != nil {
			return err
		}
	}
	if err := b.store.SaveTimings(ctx, projectID, t); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.by[projectID] = t
	return nil
}

// timingsDocument is where versions before one record a project kept every
// project's timings in one document.
const timingsDocument = "timings"

// importDocument moves timings kept the old way into their records, once:
// an upgrade keeps what the admin API had acknowledged.
func (b *TimingsBook) importDocument(ctx context.Context) error {
	doc, err := b.store.Document(ctx, timingsDocument)
	if err != nil || doc == nil {
		return err
	}
	stored, err := b.store.Timings(ctx)
	if err != nil || len(stored) > 0 {
		return err
	}
	old := map[string]Timings{}
	if err := json.Unmarshal(doc, &old); err != nil {
		return fmt.Errorf("stored timings: %w", err)
	}
	for project, t := range old {
		if err := b.store.SaveTimings(ctx, project, t); err != nil {
			return err
		}
	}
	return nil
}

// timingsJSON is Timings on the wire and on disk: whole seconds are what a
// person types.
type timingsJSON struct {
	Provisioning float64 `json:"provisioning_seconds"`
	Deletion     float64 `json:"deletion_seconds"`
	Grace        float64 `json:"grace_seconds"`
	Retention    float64 `json:"retention_seconds"`
}

// MarshalJSON writes the timings in seconds.
func (t Timings) MarshalJSON() ([]byte, error) {
	return json.Marshal(timingsJSON{t.Provisioning.Seconds(), t.Deletion.Seconds(), t.Grace.Seconds(), t.Retention.Seconds()})
}

// UnmarshalJSON reads timings in seconds; a field left out is zero.
func (t *Timings) UnmarshalJSON(b []byte) error {
	var j timingsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	sec := secondsDuration
	*t = Timings{sec(j.Provisioning), sec(j.Deletion), sec(j.Grace), sec(j.Retention)}
	return nil
}
