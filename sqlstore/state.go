package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/dayu-emu/dayu"
)

// The statements of the state's export and import (dayu.StateStore).
const (
	// dumpInstances adds to instanceColumns whether the instance holds its
	// enterprise project (eps_slot).
	dumpInstances   = `SELECT ` + instanceColumns + `, eps_slot IS NOT NULL FROM instances ORDER BY seq`
	dumpOrders      = `SELECT ` + orderColumns + ` FROM orders ORDER BY created_at, id`
	dumpWorkspaces  = `SELECT ` + workspaceColumns + ` FROM workspaces ORDER BY created_at, id`
	dumpKeys        = `SELECT project_id, key, request_hash, order_id, resource_id, created_at FROM idempotency_keys WHERE created_at > ? ORDER BY created_at, project_id, key`
	replaceInstance = `INSERT INTO instances (` + instanceColumns + `, eps_slot)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	replaceTestClock = `INSERT INTO test_clocks (domain_id, offset_ms, frozen, frozen_at, version) VALUES (?, ?, ?, ?, ?)`
)

// stateTables are the tables a state replaces, in an order that
// references allow deleting them in. The count rows are zeroed instead
// (zeroInstanceCounts).
var stateTables = []string{"idempotency_keys", "workspaces", "network_resources", "instances", "fault_rules", "test_clocks", "timings", "orders"}

// heldScan scans a row of dumpInstances: scanInstance's columns, then
// whether the slot is held.
type heldScan struct {
	row  interface{ Scan(...any) error }
	held *bool
}

func (h heldScan) Scan(dest ...any) error { return h.row.Scan(append(dest, h.held)...) }

// DumpState reads the state in one transaction, so that its parts agree.
func (s *Store) DumpState(ctx context.Context, keysSince time.Time) (*dayu.State, error) {
	opts := &sql.TxOptions{}
	if s.dialect.Numbered {
		// PostgreSQL: one snapshot for every statement (SQLite's read
		// transaction has one anyway).
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := s.read.BeginTx(ctx, opts)
	if err != nil {
		return nil, s.fail(err)
	}
	defer func() { _ = tx.Rollback() }()
	st := &dayu.State{}
	if st.Instances, err = scanTx(ctx, s, tx, dumpInstances, func(row interface{ Scan(...any) error }) (dayu.StateInstance, error) {
		si := dayu.StateInstance{}
		var err error
		si.Instance, err = scanInstance(heldScan{row, &si.HoldsEnterpriseProject})
		return si, err
	}); err != nil {
		return nil, err
	}
	if st.Orders, err = scanTx(ctx, s, tx, dumpOrders, scanOrder); err != nil {
		return nil, err
	}
	if st.Workspaces, err = scanTx(ctx, s, tx, dumpWorkspaces, scanWorkspace); err != nil {
		return nil, err
	}
	if st.FaultRules, err = scanTx(ctx, s, tx, selectFaultRules, scanFaultRule); err != nil {
		return nil, err
	}
	if st.TestClocks, err = scanTx(ctx, s, tx, selectTestClocks, scanTestClock); err != nil {
		return nil, err
	}
	if st.IdempotencyKeys, err = scanTx(ctx, s, tx, dumpKeys, scanKey, ms(keysSince)); err != nil {
		return nil, err
	}
	if st.NetworkResources, err = scanTx(ctx, s, tx, dumpNetworkResources, scanNetworkResource); err != nil {
		return nil, err
	}
	timings, err := scanTx(ctx, s, tx, s.q.timings, func(row interface{ Scan(...any) error }) (projectTimings, error) {
		var p projectTimings
		var pr, d, g, r int64
		err := row.Scan(&p.project, &pr, &d, &g, &r)
		p.t = dayu.Timings{Provisioning: msDuration(pr), Deletion: msDuration(d), Grace: msDuration(g), Retention: msDuration(r)}
		return p, err
	})
	if err != nil {
		return nil, err
	}
	st.Timings = map[string]dayu.Timings{}
	for _, p := range timings {
		st.Timings[p.project] = p.t
	}
	return st, s.fail(tx.Commit())
}

// scanTx reads every row of a query in tx with scan.
func scanTx[T any](ctx context.Context, s *Store, tx *sql.Tx, q string, scan func(row interface{ Scan(...any) error }) (T, error), args ...any) ([]T, error) {
	rows, err := tx.QueryContext(ctx, s.sql(q), args...)
	return scanAll(s, rows, err, scan)
}

type projectTimings struct {
	project string
	t       dayu.Timings
}

func scanKey(row interface{ Scan(...any) error }) (dayu.IdempotencyKey, error) {
	var k dayu.IdempotencyKey
	var created int64
	err := row.Scan(&k.ProjectID, &k.Key, &k.RequestHash, &k.OrderID, &k.ResourceID, &created)
	k.CreatedAt = fromMS(created)
	return k, err
}

// ReplaceState empties the state's tables and stores st and docs, in one
// transaction: a failure leaves the store as it was.
func (s *Store) ReplaceState(ctx context.Context, st *dayu.State, docs map[string][]byte) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		exec := func(q string, args ...any) error {
			_, err := tx.ExecContext(ctx, s.sql(q), args...)
			return err
		}
		for _, table := range stateTables {
			if err := exec(`DELETE FROM ` + table); err != nil {
				return err
			}
		}
		if err := exec(zeroInstanceCounts); err != nil {
			return err
		}
		for _, o := range st.Orders {
			if err := exec(insertFullOrder, o.ID, int(o.Type), o.DomainID, o.ProjectID, o.ResourceID,
				ms(o.CreatedAt), ms(o.CompletedAt), int(o.Hold), ms(o.PaidAt), int(o.PeriodType), o.PeriodNum, o.SpecCode); err != nil {
				return err
			}
		}
		for _, si := range st.Instances {
			i := si.Instance
			tags, err := json.Marshal(i.Tags)
			if err != nil {
				return err
			}
			var slot any
			if si.HoldsEnterpriseProject {
				slot = i.EpsID
			}
			if err := exec(replaceInstance, i.ID, i.ProjectID, i.DomainID, i.OrderID, i.Name, i.RegionID, i.AvailabilityZone,
				i.VpcID, i.NetID, i.SecurityGroupID, i.EpsID, i.SpecCode, i.ProductID,
				int(i.PeriodType), i.PeriodNum, i.IsAutoRenew, i.ExtensionPackage, i.ParentID, i.CreateUser,
				ms(i.CreatedAt), ms(i.EffectiveAt), ms(i.ExpiresAt), string(tags),
				ms(i.AutoRenewUntil), i.Grace.Milliseconds(), i.Retention.Milliseconds(), ms(i.UnsubscribedAt), nullMS(i.GoneAt),
				i.RenewedMonths, i.AutoRenewals, ms(i.SettledAt), i.NextSpecCode, i.NextProductID, ms(i.NextSpecAt), i.Rev, slot); err != nil {
				return err
			}
		}
		// The list's count rows (migrations 0020 and 0050) of what was
		// stored. (WHERE true: SQLite's parser needs it before ON CONFLICT.)
		if err := exec(`INSERT INTO instance_counts (project_id, shard, n, v) SELECT project_id, 0, COUNT(*), 1 FROM instances WHERE true GROUP BY project_id
			ON CONFLICT (project_id, shard) DO UPDATE SET n = excluded.n, v = instance_counts.v + 1`); err != nil {
			return err
		}
		for _, w := range st.Workspaces {
			if err := exec(insertWorkspace, workspaceArgs(w)...); err != nil {
				return err
			}
		}
		for _, r := range st.NetworkResources {
			args, err := networkArgs(r)
			if err != nil {
				return err
			}
			if err := exec(insertNetworkResource, args...); err != nil {
				return err
			}
		}
		for _, r := range st.FaultRules {
			if err := exec(insertFaultRule, faultRuleArgs(r)...); err != nil {
				return err
			}
		}
		for _, tc := range st.TestClocks {
			if err := exec(replaceTestClock, tc.DomainID, tc.Offset.Milliseconds(), boolInt(tc.Frozen), ms(tc.FrozenAt), tc.Version); err != nil {
				return err
			}
		}
		for project, t := range st.Timings {
			if _, err := tx.ExecContext(ctx, s.q.upsertTimings, project,
				t.Provisioning.Milliseconds(), t.Deletion.Milliseconds(), t.Grace.Milliseconds(), t.Retention.Milliseconds()); err != nil {
				return err
			}
		}
		for _, k := range st.IdempotencyKeys {
			if _, err := tx.ExecContext(ctx, s.q.insertIdempotencyKey, k.ProjectID, k.Key, k.RequestHash, k.OrderID, k.ResourceID, ms(k.CreatedAt)); err != nil {
				return err
			}
		}
		for name, doc := range docs {
			if _, err := tx.ExecContext(ctx, s.q.upsertDocument, name, string(doc)); err != nil {
				return err
			}
		}
		return nil
	})
}
