package auth

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/dayu-emu/dayu"
)

func devAuthority(t *testing.T) *Authority {
	t.Helper()
	w, err := dayu.DevWorld()
	if err != nil {
		t.Fatal(err)
	}
	return New(w, dayu.FixedClocks(dayu.WallClock{}), []byte("0123456789abcdef0123456789abcdef"))
}

func password(user, domain, pw string) Identity {
	return Identity{Methods: []string{"password"}, UserName: user, DomainName: domain, Password: pw}
}

// TestWrongLoginCostsTheSame: a login for a user or a domain that does not
// exist takes as long as a wrong password for one that does, so timing
// tells nobody which users exist.
func TestWrongLoginCostsTheSame(t *testing.T) {
	a := devAuthority(t)
	q := dayu.DevQuickstart
	took := func(id Identity) time.Duration {
		start := time.Now()
		if _, err := a.Issue(context.Background(), id, Scope{}); err != ErrBadCredentials {
			t.Fatalf("Issue(%+v) = %v, want ErrBadCredentials", id, err)
		}
		return time.Since(start)
	}
	a.noUser() // made once, on first use: not part of any login's time
	// Each case is timed right after a wrong password for the real user, so
	// that the machine's load weighs on both alike; the medians of five
	// pairs are compared. A bcrypt check takes tens of milliseconds and a
	// missing one microseconds, so a factor of 4 tells them apart however
	// busy the machine is.
	for name, id := range map[string]Identity{
		"unknown user":            password("nobody", q.DomainName, "wrong"),
		"unknown domain":          password(q.UserName, "nowhere", "wrong"),
		"unknown user id":         {Methods: []string{"password"}, UserID: "no-such-id", Password: "wrong"},
		"right password, no user": password("nobody", q.DomainName, q.Password),
	} {
		var known, got []time.Duration
		for range 5 {
			known = append(known, took(password(q.UserName, q.DomainName, "wrong")))
			got = append(got, took(id))
		}
		slices.Sort(known)
		slices.Sort(got)
		if k, g := known[2], got[2]; g < k/4 || g > k*4 {
			t.Errorf("%s: a login takes %s, a wrong password for a real user %s", name, g, k)
		}
	}
}

// TestPasswordChecksBounded: a password check waits for one of the
// passwordChecks slots, as long as its context allows, and answers
// ETHROTTLED when that runs out; re-scoping a token needs no slot.
func TestPasswordChecksBounded(t *testing.T) {
	a := devAuthority(t)
	q := dayu.DevQuickstart
	right := password(q.UserName, q.DomainName, q.Password)
	tok, err := a.Issue(context.Background(), right, Scope{})
	if err != nil {
		t.Fatal(err)
	}
	for range cap(a.passwordChecks) {
		a.passwordChecks <- struct{}{} // every slot taken
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := a.Issue(ctx, right, Scope{}); dayu.ErrorCodeOf(err) != dayu.ETHROTTLED {
		t.Errorf("a login with every slot taken: %v, want ETHROTTLED", err)
	}
	if _, err := a.Issue(context.Background(), Identity{Methods: []string{"token"}, Token: tok.ID}, Scope{ProjectID: q.ProjectID}); err != nil {
		t.Errorf("re-scoping with every slot taken: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := a.Issue(context.Background(), right, Scope{})
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("a login ran with every slot taken: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	<-a.passwordChecks // a slot frees up
	if err := <-done; err != nil {
		t.Errorf("the waiting login, once a slot was free: %v", err)
	}
}
