package dayu

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"time"
)

// Clock is the one source of time. Everything that reads the time takes a
// Clock so tests, and the dev mode, can move it.
type Clock interface {
	Now() time.Time
}

// WallClock is the real time.
type WallClock struct{}

// Now returns the current wall-clock time in UTC.
func (WallClock) Now() time.Time { return time.Now().UTC() }

// OffsetClock is the wall clock moved by an offset: the dev mode's clock,
// and the tests'. It is safe for concurrent use.
type OffsetClock struct {
	offset atomic.Int64 // nanoseconds
}

// Now returns the wall-clock time plus the offset, in UTC.
func (c *OffsetClock) Now() time.Time { return time.Now().UTC().Add(c.Offset()) }

// Offset returns how far the clock is ahead of the wall clock.
func (c *OffsetClock) Offset() time.Duration { return time.Duration(c.offset.Load()) }

// Advance moves the clock d ahead.
func (c *OffsetClock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// MaxClockOffset is how far ahead of the wall clock the dev clock may be:
// 100 years (of 365 days), well within what a time.Duration holds and
// what the lifecycle's arithmetic (terms, grace and retention) adds to it.
const MaxClockOffset = 100 * 365 * 24 * time.Hour

// AdvancedBy returns the offset the clock would have after moving seconds
// ahead (advance_seconds on the wire), to the millisecond, so that it
// survives being stored (SaveClockOffset) exactly. It is EINVALID unless
// seconds is positive and the clock stays within MaxClockOffset.
func (c *OffsetClock) AdvancedBy(seconds float64) (time.Duration, error) {
	d := secondsDuration(seconds)
	if d <= 0 || d > MaxClockOffset {
		return 0, Errorf(EINVALID, "advance_seconds: must be a number of seconds from 0.001 to %.0f (100 years): the clock only moves forward; got %g", MaxClockOffset.Seconds(), seconds)
	}
	cur := c.Offset()
	if d > MaxClockOffset-cur {
		return 0, Errorf(EINVALID, "advance_seconds: the clock may be at most %.0f seconds (100 years) ahead of the wall clock; it is %g ahead, so it can move at most %g more",
			MaxClockOffset.Seconds(), cur.Seconds(), (MaxClockOffset - cur).Seconds())
	}
	return cur + d, nil
}

// MoveTo sets the offset, unless the clock is already further ahead: moves
// that race (the admin API, another node's, read back) never add up twice
// and never turn the clock back.
func (c *OffsetClock) MoveTo(offset time.Duration) {
	for {
		cur := c.offset.Load()
		if int64(offset) <= cur || c.offset.CompareAndSwap(cur, int64(offset)) {
			return
		}
	}
}

// MovableClock is a server clock the admin API can move ahead and that
// follows the moves stored by other nodes: the OffsetClock, or a test's
// wrapper of one.
type MovableClock interface {
	Clock
	Offset() time.Duration
	AdvancedBy(seconds float64) (time.Duration, error)
	MoveTo(offset time.Duration)
	Reload(ctx context.Context, s Store) error
}

// clockDocument is the name of the stored dev clock offset.
const clockDocument = "clock"

// LoadOffsetClock returns the dev clock, moved by the offset stored by
// SaveClockOffset so that a restart keeps the time it had reached.
func LoadOffsetClock(ctx context.Context, s Store) (*OffsetClock, error) {
	c := &OffsetClock{}
	return c, c.Reload(ctx, s)
}

// Reload moves the clock to the stored offset, to follow another node's
// move; the clock never goes back. A stored offset outside 0 to
// MaxClockOffset (written before the bound existed) is taken as the nearer
// bound.
func (c *OffsetClock) Reload(ctx context.Context, s Store) error {
	doc, err := s.Document(ctx, clockDocument)
	if err != nil || doc == nil {
		return err
	}
	var seconds float64
	if err := json.Unmarshal(doc, &seconds); err != nil {
		return fmt.Errorf("stored clock offset: %w", err)
	}
	c.MoveTo(min(max(secondsDuration(seconds), 0), MaxClockOffset))
	return nil
}

// AdvanceClock moves the server's movable clock ahead by seconds and
// stores where it moved. It starts from the stored clock, which another
// node may have moved: storing an offset behind it would turn the clock
// back.
func AdvanceClock(ctx context.Context, s Store, c MovableClock, seconds float64) error {
	if err := c.Reload(ctx, s); err != nil {
		return err
	}
	to, err := c.AdvancedBy(seconds)
	if err != nil {
		return err
	}
	if err := SaveClockOffset(ctx, s, to); err != nil {
		return err
	}
	c.MoveTo(to)
	return nil
}

// SaveClockOffset stores the dev clock's offset, in seconds; an offset in
// whole milliseconds (as AdvancedBy makes) reads back exactly.
func SaveClockOffset(ctx context.Context, s Store, offset time.Duration) error {
	doc, _ := json.Marshal(offset.Seconds()) // a float always encodes
	return s.SaveDocument(ctx, clockDocument, doc)
}
