package metrics

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dayu-emu/dayu"
)

// censusTimeout bounds the store's count at a scrape, well within
// Prometheus's default scrape timeout of 10s.
const censusTimeout = 2 * time.Second

// CensusEvery is how often at most the census asks the store: a scrape
// sooner than that after the last count answers that count again (unless
// the server's clock was moved meanwhile), so that however many scrapers
// there are, the store scans its tables no more than once in that time.
const CensusEvery = 10 * time.Second

// The status labels, by the numbers the API answers with.
var (
	instanceStatuses = map[dayu.InstanceStatus]string{
		dayu.InstancePending: "pending", dayu.InstanceActive: "active", dayu.InstanceDeleted: "deleted",
		dayu.InstanceFrozen: "frozen", dayu.InstanceGrace: "grace", dayu.InstanceDeleting: "deleting",
	}
	orderStatuses = map[dayu.OrderStatus]string{
		dayu.OrderPendingPayment: "pending_payment", dayu.OrderProcessing: "processing", dayu.OrderCompleted: "completed",
	}
	instancesDesc = prometheus.NewDesc("dayu_instances", "Instances and packages in the store by status at the server's clock (deleted: gone from the list).", []string{"status"}, nil)
	ordersDesc    = prometheus.NewDesc("dayu_orders", "Orders in the store by status at the server's clock; the renewal orders, derived and never stored, are not counted.", []string{"status"}, nil)
)

// census counts the instances and orders by status at each scrape: one
// aggregate query per table, so that nothing is kept in step on the write
// path.
type census struct {
	store dayu.ObservableStore
	clock dayu.Clock

	mu    sync.Mutex    // held while counting: concurrent scrapes share one count
	taken time.Time     // when last counted, by the wall clock; zero: never
	ahead time.Duration // how far the server's clock was ahead of the wall clock then
	last  dayu.Census
}

func (c *census) Describe(ch chan<- *prometheus.Desc) {
	ch <- instancesDesc
	ch <- ordersDesc
}

func (c *census) Collect(ch chan<- prometheus.Metric) {
	n, err := c.take()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(instancesDesc, err)
		return
	}
	for st, name := range instanceStatuses {
		ch <- prometheus.MustNewConstMetric(instancesDesc, prometheus.GaugeValue, float64(n.Instances[st]), name)
	}
	for st, name := range orderStatuses {
		ch <- prometheus.MustNewConstMetric(ordersDesc, prometheus.GaugeValue, float64(n.Orders[st]), name)
	}
}

// take returns the last count if it is recent, else counts again.
func (c *census) take() (dayu.Census, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	wall, now := time.Now(), c.clock.Now()
	ahead := now.Sub(wall)
	if !c.taken.IsZero() && wall.Sub(c.taken) < CensusEvery && (ahead-c.ahead).Abs() < time.Second {
		return c.last, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), censusTimeout)
	defer cancel()
	n, err := c.store.Census(ctx, now)
	if err != nil {
		return dayu.Census{}, err
	}
	c.taken, c.ahead, c.last = wall, ahead, n
	return n, nil
}
