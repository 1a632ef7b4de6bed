package sqlstore

import (
	"errors"
	"fmt"
	"time"
)

// Options tune a Store's group commit. They are the one place where store
// tuning lives: sqlite.Open takes them as they are and postgres.Config
// embeds them. Open checks them; a zero or out-of-range setting is an
// error, never silently replaced by a default.
type Options struct {
	// BatchMax bounds how many purchases share one transaction.
	BatchMax int
	// Writers is how many group commits may run at once.
	Writers int
	// CommitTimeout bounds one group commit, which runs on no caller's
	// context: a database that stops answering then fails the batch instead
	// of holding up every purchase behind it. Zero means no bound.
	CommitTimeout time.Duration
}

// Limits are the ranges an engine accepts for Options.
type Limits struct {
	MaxBatch   int
	MaxWriters int
}

// Check reports every setting of o that is outside l, naming the setting.
func (o Options) Check(l Limits) error {
	var errs []error
	if o.BatchMax < 1 || o.BatchMax > l.MaxBatch {
		errs = append(errs, fmt.Errorf("batch max %d: must be 1-%d", o.BatchMax, l.MaxBatch))
	}
	if o.Writers < 1 || o.Writers > l.MaxWriters {
		errs = append(errs, fmt.Errorf("writers %d: must be 1-%d", o.Writers, l.MaxWriters))
	}
	if o.CommitTimeout < 0 {
		errs = append(errs, fmt.Errorf("commit timeout %s: must not be negative", o.CommitTimeout))
	}
	return errors.Join(errs...)
}
