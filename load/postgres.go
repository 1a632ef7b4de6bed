package load

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// PostgresNotes checks the PostgreSQL settings that change what a bench run
// measures and returns a note for each one that is off the defaults. Now:
// autovacuum. Without it no table is ever analyzed, so the statements that
// pgx prepares on each pooled connection keep the generic plans made while
// the tables were empty; the purchase's reapSlot UPDATE then walks the index
// on project_id alone and filters eps_slot, reading every instance of the
// project, and purchases slow down as the project grows. A URL with
// plan_cache_mode=force_custom_plan plans each execution with its values.
func PostgresNotes(ctx context.Context, url string) ([]string, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	ip := net.ParseIP(cfg.Host)
	if local := cfg.Host == "localhost" || strings.HasPrefix(cfg.Host, "/") || ip != nil && ip.IsLoopback(); !local {
		return nil, fmt.Errorf("load: PostgreSQL at %q is not on this machine: dayu bench loads 127.0.0.1 only", cfg.Host)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	var autovacuum, planCache string
	if err := conn.QueryRow(ctx, "SELECT current_setting('autovacuum'), current_setting('plan_cache_mode')").Scan(&autovacuum, &planCache); err != nil {
		return nil, err
	}
	var notes []string
	if autovacuum != "on" {
		note := "PostgreSQL runs with autovacuum off: no table is ever analyzed, so the generic plans cached while the tables were empty stay (a purchase then reads every instance of its project) and purchases slow down as the project grows"
		if planCache == "auto" {
			note += "; add plan_cache_mode=force_custom_plan to the --store URL to measure what a server with autovacuum on would do"
		}
		notes = append(notes, note)
	}
	if planCache != "auto" {
		notes = append(notes, "PostgreSQL plan_cache_mode is "+planCache)
	}
	return notes, nil
}
