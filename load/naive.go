package load

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// NaivePoolSize is the naive server's pool of PostgreSQL connections.
const NaivePoolSize = 32

// naiveSchema is the naive server's own two tables, made anew at its
// start: an order and an instance a purchase, with the instance's
// one-per-enterprise-project rule as a unique index, as in Dayu's schema.
const naiveSchema = `
DROP TABLE IF EXISTS naive_instances;
DROP TABLE IF EXISTS naive_orders;
CREATE TABLE naive_orders (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, resource_id TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE TABLE naive_instances (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, order_id TEXT NOT NULL REFERENCES naive_orders (id),
	name TEXT NOT NULL, region_id TEXT NOT NULL, availability_zone TEXT NOT NULL, vpc_id TEXT NOT NULL, net_id TEXT NOT NULL,
	security_group_id TEXT NOT NULL, eps_id TEXT NOT NULL, spec_code TEXT NOT NULL, period_type INTEGER NOT NULL,
	period_num INTEGER NOT NULL, is_auto_renew INTEGER NOT NULL, created_at BIGINT NOT NULL);
CREATE UNIQUE INDEX naive_one_per_eps ON naive_instances (project_id, eps_id);`

// ServeNaivePostgres runs the bench's naive PostgreSQL baseline until ctx
// ends: not part of Dayu, only what Dayu's PostgreSQL path is measured
// against. Each purchase is decoded as the no-op baseline decodes it and
// stored in a transaction of its own on a pgxpool connection (BEGIN,
// INSERT the order, INSERT the instance, COMMIT, synchronously committed),
// with no group commit and no checks beyond the database's.
func ServeNaivePostgres(ctx context.Context, addr, url string) error {
	if err := CheckLoopback("http://" + addr); err != nil {
		return err
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return err
	}
	cfg.MaxConns = NaivePoolSize
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, naiveSchema); err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/{project_id}/instances/onekey-purchase", func(w http.ResponseWriter, r *http.Request) {
		var p noopPurchase
		if err := decodeBody(w, r, &p); err != nil || p.EpsID == nil || p.InstanceName == nil || p.RegionID == nil ||
			p.AvailabilityZone == nil || p.VpcID == nil || p.NetID == nil || p.SecurityGroupID == nil ||
			p.ResourceSpecCode == nil || p.PeriodType == nil || p.PeriodNum == nil || p.IsAutoRenew == nil {
			answer(w, http.StatusBadRequest, `{"error_code":"DAYU.4402","error_msg":"bad body"}`)
			return
		}
		project, orderID, resourceID, now := r.PathValue("project_id"), uuid.NewString(), uuid.NewString(), time.Now().UnixMilli()
		err := func() error {
			tx, err := pool.Begin(r.Context())
			if err != nil {
				return err
			}
			defer tx.Rollback(context.Background())
			if _, err := tx.Exec(r.Context(), `INSERT INTO naive_orders (id, project_id, resource_id, created_at) VALUES ($1, $2, $3, $4)`,
				orderID, project, resourceID, now); err != nil {
				return err
			}
			if _, err := tx.Exec(r.Context(), `INSERT INTO naive_instances (id, project_id, order_id, name, region_id, availability_zone,
				vpc_id, net_id, security_group_id, eps_id, spec_code, period_type, period_num, is_auto_renew, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
				resourceID, project, orderID, *p.InstanceName, *p.RegionID, *p.AvailabilityZone, *p.VpcID, *p.NetID,
				*p.SecurityGroupID, *p.EpsID, *p.ResourceSpecCode, *p.PeriodType, *p.PeriodNum, *p.IsAutoRenew, now); err != nil {
				return err
			}
			return tx.Commit(r.Context())
		}()
		var pgErr *pgconn.PgError
		switch {
		case errors.As(err, &pgErr) && pgErr.Code == "23505":
			answer(w, http.StatusBadRequest, `{"error_code":"DAYU.4402","error_msg":"enterprise project taken"}`)
		case err != nil:
			answer(w, http.StatusInternalServerError, `{"error_code":"DAYU.3531","error_msg":"store"}`)
		default:
			answer(w, http.StatusOK, `{"order_id":"`+orderID+`","resource_id":"`+resourceID+`"}`)
		}
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		answer(w, http.StatusOK, `{"status":"ok"}`)
	})
	return serveBaseline(ctx, addr, mux)
}
