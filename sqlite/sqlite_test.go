package sqlite_test

import (
	"context"
	"testing"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/sqlite"
	"github.com/dayu-emu/dayu/storetest"
)

// TestConformance runs the store conformance suite on a SQLite file in a
// fresh temporary directory per test.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) func() (dayu.Store, error) {
		dir := t.TempDir()
		return func() (dayu.Store, error) {
			s, err := sqlite.Open(context.Background(), dir, 64)
			if err != nil {
				return nil, err // not a typed nil in the interface
			}
			return s, nil
		}
	})
}

func BenchmarkCreatePurchase(b *testing.B) {
	s, err := sqlite.Open(context.Background(), b.TempDir(), 0)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	storetest.BenchmarkCreatePurchase(b, s)
}
