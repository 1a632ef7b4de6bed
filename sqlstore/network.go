package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/dayu-emu/dayu"
)

// networkColumns is the column list of network_resources, in networkArgs'
// and scanNetworkResource's order.
const networkColumns = `id, project_id, kind, parent_id, name, eps_id, created_at, updated_at, spec`

const (
	insertNetworkResource = `INSERT INTO network_resources (` + networkColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	seedNetworkResource   = insertNetworkResource + ` ON CONFLICT (id) DO NOTHING`
	selectNetworkResource = `SELECT ` + networkColumns + ` FROM network_resources WHERE id = ? AND project_id = ? AND kind = ?`
	listNetworkResources  = `SELECT ` + networkColumns + ` FROM network_resources WHERE project_id = ? AND kind = ?
		AND (? = '' OR parent_id = ?) ORDER BY created_at, id`
	updateNetworkResource = `UPDATE network_resources SET name = ?, eps_id = ?, updated_at = ?, spec = ?
		WHERE id = ? AND project_id = ? AND kind = ?`
	// lockNetwork changes nothing but takes the row's lock, which a subnet's
	// create and its VPC's delete both take first: on PostgreSQL (read
	// committed) a plain read would let each miss the other's uncommitted
	// write, leaving a subnet without a VPC. SQLite has one writer anyway.
	lockNetwork        = `UPDATE network_resources SET updated_at = updated_at WHERE id = ? AND project_id = ? AND kind = ?`
	networkHasChildren = `SELECT 1 FROM network_resources WHERE parent_id = ? LIMIT 1`
	// An instance holds its network until it is unsubscribed or gone.
	networkUsedByLiving = `SELECT 1 FROM instances WHERE project_id = ? AND (vpc_id = ? OR net_id = ? OR security_group_id = ?)
		AND unsubscribed_at = 0 AND (gone_at IS NULL OR gone_at > ?) LIMIT 1`
	dumpNetworkResources  = `SELECT ` + networkColumns + ` FROM network_resources ORDER BY created_at, id`
	deleteNetworkResource = `DELETE FROM network_resources WHERE id = ? AND project_id = ? AND kind = ?`
)

func networkArgs(r *dayu.NetworkResource) ([]any, error) {
	spec, err := json.Marshal(r.Spec)
	if err != nil {
		return nil, err
	}
	return []any{r.ID, r.ProjectID, string(r.Kind), r.ParentID, r.Name, r.EpsID, ms(r.CreatedAt), ms(r.UpdatedAt), string(spec)}, nil
}

func scanNetworkResource(row interface{ Scan(...any) error }) (*dayu.NetworkResource, error) {
	var r dayu.NetworkResource
	var created, updated int64
	var spec string
	if err := row.Scan(&r.ID, &r.ProjectID, &r.Kind, &r.ParentID, &r.Name, &r.EpsID, &created, &updated, &spec); err != nil {
		return nil, err
	}
	r.CreatedAt, r.UpdatedAt = fromMS(created), fromMS(updated)
	return &r, json.Unmarshal([]byte(spec), &r.Spec)
}

// CreateNetworkResource stores a new VPC, subnet or security group.
func (s *Store) CreateNetworkResource(ctx context.Context, r *dayu.NetworkResource) error {
	args, err := networkArgs(r)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if r.Kind == dayu.KindSubnet {
			if err := s.lockNetwork(ctx, tx, r.ProjectID, dayu.KindVPC, r.ParentID, dayu.ErrVPCNotFound); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, s.sql(insertNetworkResource), args...)
		return err
	})
}

// lockNetwork locks a network resource's row until tx ends: notFound if
// it is not stored (or deleted by a transaction committed meanwhile).
func (s *Store) lockNetwork(ctx context.Context, tx *sql.Tx, projectID string, kind dayu.NetworkKind, id string, notFound error) error {
	res, err := tx.ExecContext(ctx, s.sql(lockNetwork), id, projectID, string(kind))
	return oneRow(res, err, notFound)
}

// found reports whether the query finds a row.
func found(ctx context.Context, tx *sql.Tx, query string, args ...any) (bool, error) {
	var one int
	err := tx.QueryRowContext(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// NetworkResource returns one of the project's network resources.
func (s *Store) NetworkResource(ctx context.Context, projectID string, kind dayu.NetworkKind, id string) (*dayu.NetworkResource, error) {
	r, err := scanNetworkResource(s.read.QueryRowContext(ctx, s.sql(selectNetworkResource), id, projectID, string(kind)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, dayu.ErrNetworkResourceNotFound
	}
	return r, s.fail(err)
}

// NetworkResources returns the project's network resources of a kind.
func (s *Store) NetworkResources(ctx context.Context, projectID string, kind dayu.NetworkKind, parentID string) ([]*dayu.NetworkResource, error) {
	rows, err := s.read.QueryContext(ctx, s.sql(listNetworkResources), projectID, string(kind), parentID, parentID)
	return scanAll(s, rows, err, scanNetworkResource)
}

// FindNetworkResources returns those of ids that are the project's
// network resources, by the primary key.
func (s *Store) FindNetworkResources(ctx context.Context, projectID string, ids ...string) ([]*dayu.NetworkResource, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	q := `SELECT ` + networkColumns + ` FROM network_resources WHERE id IN (` + placeholders(len(ids)) + `) AND project_id = ?`
	rows, err := s.read.QueryContext(ctx, s.sql(q), append(anys(ids), projectID)...)
	return scanAll(s, rows, err, scanNetworkResource)
}

// SaveNetworkResource stores a network resource's changed fields.
func (s *Store) SaveNetworkResource(ctx context.Context, r *dayu.NetworkResource) error {
	spec, err := json.Marshal(r.Spec)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.sql(updateNetworkResource), r.Name, r.EpsID, ms(r.UpdatedAt), string(spec), r.ID, r.ProjectID, string(r.Kind))
		return oneRow(res, err, dayu.ErrNetworkResourceNotFound)
	})
}

// DeleteNetworkResource deletes a network resource that has no subnets and
// that no instance refers to, but those unsubscribed or gone.
func (s *Store) DeleteNetworkResource(ctx context.Context, projectID string, kind dayu.NetworkKind, id string, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.lockNetwork(ctx, tx, projectID, kind, id, dayu.ErrNetworkResourceNotFound); err != nil {
			return err
		}
		switch ok, err := found(ctx, tx, s.sql(networkHasChildren), id); {
		case err != nil:
			return err
		case ok:
			return dayu.ErrNetworkHasSubnets
		}
		switch ok, err := found(ctx, tx, s.sql(networkUsedByLiving), projectID, id, id, id, ms(now)); {
		case err != nil:
			return err
		case ok:
			return dayu.ErrNetworkInUse
		}
		_, err := tx.ExecContext(ctx, s.sql(deleteNetworkResource), id, projectID, string(kind))
		return err
	})
}

// SeedNetworkResources stores the network resources not stored yet.
func (s *Store) SeedNetworkResources(ctx context.Context, rs []*dayu.NetworkResource) error {
	if len(rs) == 0 {
		return nil
	}
	return s.inTx(ctx, func(tx *sql.Tx) error { return s.seedNetwork(ctx, tx, rs) })
}

// seedNetwork stores in tx the network resources not stored yet.
func (s *Store) seedNetwork(ctx context.Context, tx *sql.Tx, rs []*dayu.NetworkResource) error {
	if len(rs) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, s.sql(seedNetworkResource))
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, r := range rs {
		args, err := networkArgs(r)
		if err != nil {
			return err
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	return nil
}
