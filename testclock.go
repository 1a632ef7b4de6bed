package dayu

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// TestClock is a domain's own clock, as Stripe's test clocks are: it moves
// only forward, independently of every other domain's, and while Frozen it
// stands still until advanced, so that a test can assert what happens at
// the very moment of an expiry. Everything of the domain (its instances'
// lifecycle, its orders, its tokens' expiry) follows it.
type TestClock struct {
	DomainID string
	// Offset is how far ahead of the server's clock it runs, unfrozen.
	Offset time.Duration
	// Frozen stops it at FrozenAt.
	Frozen   bool
	FrozenAt time.Time
	// Version counts the stored changes: a change stored from an older one
	// is refused (ErrClockChanged).
	Version int
}

// Now is the clock's time when the server's clock reads server.
func (c *TestClock) Now(server time.Time) time.Time {
	if c.Frozen {
		return c.FrozenAt
	}
	return server.Add(c.Offset)
}

// MaxTestClockAhead bounds how far a test clock may run ahead of the
// server's: far beyond any subscription, well within what times can hold.
const MaxTestClockAhead = 100 * 365 * 24 * time.Hour

// Clocks is the time of every domain: the server's clock, or the domain's
// test clock. A request reads it once, for the domain it acts in.
type Clocks struct {
	server Clock
	store  Store
	by     atomic.Pointer[map[string]*TestClock]
}

// LoadClocks reads the stored test clocks; domains without one follow
// server.
func LoadClocks(ctx context.Context, s Store, server Clock) (*Clocks, error) {
	c := &Clocks{server: server, store: s}
	return c, c.Reload(ctx)
}

// FixedClocks gives every domain the server's clock: for tools that need
// no test clocks (the bench's preload).
func FixedClocks(server Clock) *Clocks {
	c := &Clocks{server: server}
	c.by.Store(&map[string]*TestClock{})
	return c
}

// Server is the server's clock.
func (c *Clocks) Server() Clock { return c.server }

// Now is the time of the domain.
func (c *Clocks) Now(domainID string) time.Time {
	now := c.server.Now()
	if tc := (*c.by.Load())[domainID]; tc != nil {
		return tc.Now(now)
	}
	return now
}

// Reload reads the stored test clocks again, to follow another node's
// changes.
func (c *Clocks) Reload(ctx context.Context) error {
	list, err := c.store.TestClocks(ctx)
	if err != nil {
		return err
	}
	by := make(map[string]*TestClock, len(list))
	for _, tc := range list {
		by[tc.DomainID] = tc
	}
	c.by.Store(&by)
	return nil
}

// List returns the test clocks.
func (c *Clocks) List() []*TestClock {
	by := *c.by.Load()
	out := make([]*TestClock, 0, len(by))
	for _, tc := range by {
		out = append(out, tc)
	}
	return out
}

// Get returns the domain's test clock, nil if it has none.
func (c *Clocks) Get(domainID string) *TestClock { return (*c.by.Load())[domainID] }

// Set gives the domain a test clock, or changes whether it is frozen: a
// clock frozen now stands at the domain's present time, and one thawed
// runs on from where it stood. Either way its time does not go back.
func (c *Clocks) Set(ctx context.Context, domainID string, frozen bool) (*TestClock, error) {
	return c.change(ctx, domainID, func(tc *TestClock, now time.Time) error {
		at := tc.Now(now)
		tc.Frozen, tc.FrozenAt = frozen, at
		if !frozen {
			tc.FrozenAt, tc.Offset = time.Time{}, max(at.Sub(now), 0)
		}
		return nil
	})
}

// Advance moves the domain's test clock d ahead, giving the domain one (at
// the server's time) if it has none.
func (c *Clocks) Advance(ctx context.Context, domainID string, d time.Duration) (*TestClock, error) {
	return c.change(ctx, domainID, func(tc *TestClock, now time.Time) error {
		if d <= 0 || d > MaxTestClockAhead || tc.Now(now).Sub(now) > MaxTestClockAhead-d {
			return Errorf(EINVALID, "advance_seconds: the clock moves forward only, and at most %d seconds ahead of the server's", int64(MaxTestClockAhead.Seconds()))
		}
		if tc.Frozen {
			tc.FrozenAt = tc.FrozenAt.Add(d)
		} else {
			tc.Offset += d
		}
		return nil
	})
}

// change applies fn to the domain's stored test clock and stores the
// result, unless another change was stored meanwhile (on another node):
// then it starts again from that one, so that no change is lost and the
// clock never goes back.
func (c *Clocks) change(ctx context.Context, domainID string, fn func(tc *TestClock, now time.Time) error) (*TestClock, error) {
	for {
		if err := c.Reload(ctx); err != nil {
			return nil, err
		}
		tc := &TestClock{DomainID: domainID}
		if cur := c.Get(domainID); cur != nil {
			*tc = *cur
		}
		// Milliseconds are what the store keeps.
		if err := fn(tc, c.server.Now().Truncate(time.Millisecond)); err != nil {
			return nil, err
		}
		err := c.store.SaveTestClock(ctx, tc)
		if errors.Is(err, ErrClockChanged) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if err := c.Reload(ctx); err != nil {
			return nil, err
		}
		return c.Get(domainID), nil
	}
}
