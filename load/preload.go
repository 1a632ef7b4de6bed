package load

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dayu-emu/dayu"
)

// Preload makes the store hold at least n instances in the world's preload
// project. It goes through the domain (the services of nodes built by
// node.New, with Loose set so that the preload's enterprise projects,
// PreloadEpsID, need not be in the world) and the store's group commit, as
// purchases do, with workers purchases at once and without HTTP: the
// instances and orders are those a purchase makes, and the store is filled
// as fast as it commits. A store that already holds some (a PostgreSQL
// database of an earlier run) gets only the rest. Given the services of
// several nodes on one database, the workers share them out, and so their
// group commits run side by side.
// progress, if not nil, is called about every 5 s with the count so far.
func Preload(ctx context.Context, svcs []*dayu.Service, w *World, n, workers int, progress func(done, of int)) (int, error) {
	if len(svcs) == 0 {
		return 0, fmt.Errorf("preload: no node")
	}
	listed, err := svcs[0].ListInstances(ctx, w.PreloadProject, dayu.Page{Limit: 1})
	if err != nil {
		return 0, err
	}
	have := listed.Total
	if have >= n {
		return 0, nil
	}
	caller := dayu.Caller{UserID: w.UserID, UserName: w.UserName, DomainID: w.DomainID, DomainName: w.DomainName, ProjectID: w.PreloadProject}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var next, done atomic.Int64
	next.Store(int64(have))
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	for g := range max(workers, 1) {
		svc := svcs[g%len(svcs)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				k := int(next.Add(1) - 1)
				if k >= n {
					return
				}
				p := &dayu.Purchase{
					RegionID: w.RegionID, AvailabilityZone: w.Zone, VpcID: w.VpcID, NetID: w.NetID,
					SecurityGroupID: w.SGID, InstanceName: fmt.Sprintf("preload-%d", k), EpsID: PreloadEpsID(k),
					PeriodType: dayu.PeriodMonth, PeriodNum: 1, ResourceSpecCode: "dayu.starter",
				}
				if _, _, err := svc.Purchase(ctx, caller, w.PreloadProject, p); err != nil {
					once.Do(func() { first = fmt.Errorf("preload: instance %d: %w", k, err); cancel() })
					return
				}
				done.Add(1)
			}
		}()
	}
	if progress != nil {
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			t := time.NewTicker(5 * time.Second)
			defer t.Stop()
			for {
				select {
				case <-t.C:
					progress(have+int(done.Load()), n)
				case <-stop:
					return
				}
			}
		}()
	}
	wg.Wait()
	return int(done.Load()), first
}
