package metrics_test

import (
	"testing"
	"time"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/metrics"
)

// BenchmarkAnswered is what the metrics add to every API call: a duration
// observed and a status counted, from many goroutines at once.
func BenchmarkAnswered(b *testing.B) {
	op := metrics.New(metrics.Config{Clock: dayu.WallClock{}}).Operation(dayu.OpPayForDgcOneKey)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			op.Answered(200, false, 3*time.Millisecond)
		}
	})
}

// BenchmarkAnsweredOff is the same call on metrics that are off (nil).
func BenchmarkAnsweredOff(b *testing.B) {
	var m *metrics.Metrics
	op := m.Operation(dayu.OpPayForDgcOneKey)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			op.Answered(200, false, 3*time.Millisecond)
		}
	})
}
