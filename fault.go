package dayu

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// FaultRule makes the API calls it matches misbehave on purpose, so that a
// client's handling of timeouts, errors and lost answers can be tested: the
// testing tool beyond the real service. Rules are stored, so that every
// node applies them.
type FaultRule struct {
	ID        string
	Operation Operation // or AnyOperation
	ProjectID string    // "" matches every project
	// Probability that a matching call is hit, in (0, 1].
	Probability float64
	// Count is how many calls the rule hits, 0 for no limit; Remaining is
	// what is left of it.
	Count, Remaining int
	// The actions. Latency delays the answer, and goes with at most one of
	// the others: Error answers with it instead of doing the work;
	// DropConnection closes the connection without an answer and without
	// doing the work; LoseResponse does the work, commits it, and then
	// closes the connection without an answer.
	Latency        time.Duration
	Error          *FaultError
	DropConnection bool
	LoseResponse   bool
	CreatedAt      time.Time
	ExpiresAt      time.Time // zero: never
}

// FaultError is the answer of a rule's error action, in the format of the
// service that owns the operation.
type FaultError struct {
	Status  int
	Code    string // "" for the service's code of that status
	Message string // "" for a message naming the rule
}

// Limits of a fault rule.
const (
	MaxFaultLatency  = 10 * time.Minute
	MaxFaultLifetime = 366 * 24 * time.Hour
	MaxFaultCount    = 1_000_000
	MaxFaultRules    = 1000
)

// Validate checks a rule as the caller gave it; each error is EINVALID and
// names the field on the wire.
func (r *FaultRule) Validate() error {
	switch {
	case r.Operation == "":
		return Errorf(EINVALID, "operation: is required (an operation name such as PayForDgcOneKey, or *)")
	case !r.Operation.Known():
		return Errorf(EINVALID, "operation: %q is not an operation Dayu serves", r.Operation)
	case math.IsNaN(r.Probability) || r.Probability <= 0 || r.Probability > 1:
		return Errorf(EINVALID, "probability: must be more than 0 and at most 1, got %g", r.Probability)
	case r.Count < 0 || r.Count > MaxFaultCount:
		return Errorf(EINVALID, "count: must be 0 (no limit) to %d, got %d", MaxFaultCount, r.Count)
	case r.Latency < 0 || r.Latency > MaxFaultLatency:
		return Errorf(EINVALID, "latency_ms: must be 0 to %d, got %d", MaxFaultLatency.Milliseconds(), r.Latency.Milliseconds())
	case r.Error != nil && (r.Error.Status < 400 || r.Error.Status > 599):
		return Errorf(EINVALID, "error.status: must be 400-599, got %d", r.Error.Status)
	case r.Error != nil && (len(r.Error.Code) > 64 || len(r.Error.Message) > 1024):
		return Errorf(EINVALID, "error: error_code is at most 64 and error_msg at most 1024 characters")
	}
	ends := 0
	for _, on := range []bool{r.Error != nil, r.DropConnection, r.LoseResponse} {
		if on {
			ends++
		}
	}
	switch {
	case ends > 1:
		return Errorf(EINVALID, "error, drop_connection, lose_response: give at most one of them (each ends the call its own way)")
	case ends == 0 && r.Latency == 0:
		return Errorf(EINVALID, "a rule needs an action: latency_ms, error, drop_connection or lose_response")
	}
	return nil
}

// FaultBook holds the fault rules: their store, and a copy for matching
// that costs nothing while there are none. Another node's rules arrive
// with Reload.
type FaultBook struct {
	store Store
	rules atomic.Pointer[[]*FaultRule]
	mu    sync.Mutex // guards rnd
	rnd   *rand.Rand
}

// LoadFaults reads the stored rules. seed makes the probability draws
// repeatable; 0 draws a random seed.
func LoadFaults(ctx context.Context, s Store, seed uint64) (*FaultBook, error) {
	if seed == 0 {
		seed = rand.Uint64()
	}
	b := &FaultBook{store: s, rnd: rand.New(rand.NewPCG(seed, seed))}
	return b, b.Reload(ctx)
}

// Reload reads the stored rules again.
func (b *FaultBook) Reload(ctx context.Context) error {
	rules, err := b.store.FaultRules(ctx)
	if err != nil {
		return err
	}
	b.rules.Store(&rules)
	return nil
}

// Add validates r, stores it with a new id, and applies it at once on this
// node.
func (b *FaultBook) Add(ctx context.Context, r *FaultRule, now time.Time, lifetime time.Duration) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if lifetime < 0 || lifetime > MaxFaultLifetime {
		return Errorf(EINVALID, "expires_in_seconds: must be 0 (never) to %d, got %d", int64(MaxFaultLifetime.Seconds()), int64(lifetime.Seconds()))
	}
	if n := len(*b.rules.Load()); n >= MaxFaultRules {
		return Errorf(EINVALID, "at most %d fault rules; delete some first", MaxFaultRules)
	}
	r.ID, r.CreatedAt, r.Remaining = uuid.NewString(), now, r.Count
	if lifetime > 0 {
		r.ExpiresAt = now.Add(lifetime)
	}
	if err := b.store.AddFaultRule(ctx, r); err != nil {
		return err
	}
	return b.Reload(ctx)
}

// List returns the rules not expired at now, with what remains of their
// counts.
func (b *FaultBook) List(ctx context.Context, now time.Time) ([]*FaultRule, error) {
	rules, err := b.store.FaultRules(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*FaultRule, 0, len(rules))
	for _, r := range rules {
		if !r.expired(now) {
			out = append(out, r)
		}
	}
	return out, nil
}

// Delete removes one rule; ENOTFOUND when there is none of that id.
func (b *FaultBook) Delete(ctx context.Context, id string) error {
	err := b.store.DeleteFaultRule(ctx, id)
	if errors.Is(err, ErrFaultRuleNotFound) {
		return Errorf(ENOTFOUND, "fault rule %q does not exist", id)
	}
	if err != nil {
		return err
	}
	return b.Reload(ctx)
}

// Clear removes every rule.
func (b *FaultBook) Clear(ctx context.Context) error {
	if err := b.store.DeleteFaultRules(ctx); err != nil {
		return err
	}
	return b.Reload(ctx)
}

// Match returns the first rule that hits a call of op in project at now,
// or nil. A rule with a count is hit only if the store still has one of its
// hits to give, so that every node together hits no more than the count.
func (b *FaultBook) Match(ctx context.Context, op Operation, project string, now time.Time) (*FaultRule, error) {
	rules := b.rules.Load()
	if rules == nil || len(*rules) == 0 {
		return nil, nil
	}
	for _, r := range *rules {
		if (r.Operation != AnyOperation && r.Operation != op) || (r.ProjectID != "" && r.ProjectID != project) || r.expired(now) {
			continue
		}
		if r.Probability < 1 && !b.draw(r.Probability) {
			continue
		}
		if r.Count == 0 {
			return r, nil
		}
		ok, err := b.store.TakeFaultHit(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		if ok {
			return r, nil
		}
		b.spent(r.ID)
	}
	return nil, nil
}

// spent drops a rule whose count is used up from the rules matched, so
// that it costs no more store round trips (List still shows it).
func (b *FaultBook) spent(id string) {
	for {
		old := b.rules.Load()
		next := slices.DeleteFunc(slices.Clone(*old), func(r *FaultRule) bool { return r.ID == id })
		if b.rules.CompareAndSwap(old, &next) {
			return
		}
	}
}

func (b *FaultBook) draw(p float64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.rnd.Float64() < p
}

func (r *FaultRule) expired(now time.Time) bool {
	return !r.ExpiresAt.IsZero() && !now.Before(r.ExpiresAt)
}
