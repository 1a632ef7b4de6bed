package dayu_test

import (
	"context"
	"testing"
	"time"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/sqlite"
)

// TestClocks: two domains move through time independently of each other
// and of the server; a frozen clock stands still until advanced; none goes
// back.
func TestClocks(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.OpenMemory(ctx, sqlite.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	server := &dayu.OffsetClock{}
	c, err := dayu.LoadClocks(ctx, s, server)
	if err != nil {
		t.Fatal(err)
	}
	near := func(a, b time.Time) bool { d := a.Sub(b); return d > -time.Second && d < time.Second }
	if !near(c.Now("d1"), server.Now()) {
		t.Fatal("a domain without a test clock is not on the server's time")
	}
	year := 365 * 24 * time.Hour
	if _, err := c.Advance(ctx, "d1", year); err != nil {
		t.Fatal(err)
	}
	if !near(c.Now("d1"), server.Now().Add(year)) || !near(c.Now("d2"), server.Now()) {
		t.Errorf("after d1 moved a year: d1 %s, d2 %s, server %s", c.Now("d1"), c.Now("d2"), server.Now())
	}
	tc, err := c.Set(ctx, "d2", true)
	if err != nil {
		t.Fatal(err)
	}
	frozen := c.Now("d2")
	time.Sleep(20 * time.Millisecond)
	if got := c.Now("d2"); !got.Equal(frozen) || !tc.FrozenAt.Equal(frozen) {
		t.Errorf("a frozen clock moved: %s then %s", frozen, got)
	}
	if _, err := c.Advance(ctx, "d2", time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := c.Now("d2"); !got.Equal(frozen.Add(time.Hour)) {
		t.Errorf("frozen clock advanced an hour: %s, want %s", got, frozen.Add(time.Hour))
	}
	server.MoveTo(2 * time.Hour) // the server's clock passes the frozen one
	if _, err := c.Set(ctx, "d2", false); err != nil {
		t.Fatal(err)
	}
	if got := c.Now("d2"); got.Before(frozen.Add(time.Hour)) {
		t.Errorf("thawed clock went back: %s, before %s", got, frozen.Add(time.Hour))
	}
	for _, d := range []time.Duration{0, -time.Hour, 200 * year} {
		if _, err := c.Advance(ctx, "d1", d); dayu.ErrorCodeOf(err) != dayu.EINVALID {
			t.Errorf("Advance(%s) = %v, want EINVALID", d, err)
		}
	}
}
