package dayu

import (
	"context"
	"time"
)

// StoreObserver is told what a store does, for a node's metrics. Its
// methods run on the store's hot paths: they must be cheap and must not
// block.
type StoreObserver interface {
	// Committed reports one group commit of n purchases that took d,
	// whether it succeeded or not.
	Committed(n int, d time.Duration)
	// Failed reports one failure of the store's, by class: ETIMEOUT,
	// EUNAVAILABLE or EINTERNAL for the database, ECONFLICT for a write a
	// business rule refused.
	Failed(class ErrorCode)
}

// ObservableStore is a Store that reports to a StoreObserver and counts
// its records, for a node's metrics. The SQL stores are; a node built on
// another Store has no store metrics.
type ObservableStore interface {
	Store
	// Observe makes the store report to o from now on.
	Observe(o StoreObserver)
	// CommitQueueLength is how many purchases wait for a group commit.
	CommitQueueLength() int
	// Census counts the instances and orders by their status at now.
	Census(ctx context.Context, now time.Time) (Census, error)
}

// Census is how many instances and orders a store holds, by status. Gone
// instances are counted as InstanceDeleted; the renewal orders, which are
// derived from the instances and never stored, are not counted.
type Census struct {
	Instances map[InstanceStatus]int
	Orders    map[OrderStatus]int
}
