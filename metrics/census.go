package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dayu-emu/dayu"
)

// censusTimeout bounds the store's count at a scrape, well within
// Prometheus's default scrape timeout of 10s.
const censusTimeout = 2 * time.Second

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
}

func (c *census) Describe(ch chan<- *prometheus.Desc) {
	ch <- instancesDesc
	ch <- ordersDesc
}

func (c *census) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), censusTimeout)
	defer cancel()
	n, err := c.store.Census(ctx, c.clock.Now())
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
