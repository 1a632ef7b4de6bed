package main

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/dayu-emu/dayu"
	dayuhttp "github.com/dayu-emu/dayu/http"
	dayunode "github.com/dayu-emu/dayu/node"
	"github.com/dayu-emu/dayu/postgres"
	"github.com/dayu-emu/dayu/sqlite"
	"github.com/dayu-emu/dayu/sqlstore"
)

// Config is the whole configuration of dayu serve, from flags and DAYU_*
// environment variables (a flag given on the command line wins).
type Config struct {
	Addr            string
	PublicURL       string
	Store           string
	Ephemeral       bool
	DataDir         string
	WorldFile       string
	ReplaceWorld    bool
	Dev             bool
	devGiven        bool // --dev or DAYU_DEV was given: Dev overrides what the store decides
	Loose           bool
	LogFormat       string
	LogLevel        string
	BatchMax        int // 0: the store's default
	ShutdownTimeout time.Duration
	AdminToken      string
	Timings         dayu.Timings
	RequestTimeout  time.Duration
	WriteTimeout    time.Duration
	RateLimit       float64
	RateBurst       int
	SQLite          sqlstore.Options
	Postgres        postgres.Config
	CPUProfile      string
	JournalSize     int
	Intercept       bool
	Cloud           string
	FaultSeed       uint64
	Metrics         bool
	MetricsAddr     string
}

// bind declares the flags of c on fs.
func (c *Config) bind(fs *pflag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&c.PublicURL, "public-url", "", "URL clients reach this server at, listed in the tokens' catalog (default: http://<--addr>)")
	fs.StringVar(&c.Store, "store", "sqlite", `the store: "sqlite" (embedded, in --data) or a PostgreSQL URL (postgres://...) shared by several nodes`)
	fs.StringVar(&c.DataDir, "data", "./dayu-data", "directory of the embedded SQLite store")
	fs.BoolVar(&c.Ephemeral, "ephemeral", false, "keep everything in memory and write nothing to disk (an in-memory SQLite store, gone when the server stops)")
	fs.StringVar(&c.WorldFile, "world", "", "world file (JSON) to load and store; without it the stored world is served, or on a new store a dev world is made")
	fs.BoolVar(&c.ReplaceWorld, "replace-world", false, "let --world replace a different world the store already holds (orders and instances are kept)")
	fs.BoolVar(&c.Dev, "dev", false, "dev mode: print the dev credentials, serve /_dayu/quickstart, admin token "+devAdminToken+", movable clock (default: on when the store holds the dev world; refused over any other world)")
	fs.BoolVar(&c.Loose, "loose", false, "skip the checks of a purchase's references against the world")
	fs.StringVar(&c.LogFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&c.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	sq, pg := sqlite.DefaultOptions(), postgres.DefaultConfig()
	fs.IntVar(&c.BatchMax, "batch-max", 0, fmt.Sprintf("most purchases that share one commit (0: %d on SQLite, %d on PostgreSQL)", sq.BatchMax, pg.BatchMax))
	fs.IntVar(&c.Postgres.MaxConns, "pg-max-conns", pg.MaxConns, "PostgreSQL: connections this node opens at most (more than --pg-writers)")
	fs.IntVar(&c.Postgres.Writers, "pg-writers", pg.Writers, fmt.Sprintf("PostgreSQL: group commits this node runs at once (1-%d)", postgres.Limits.MaxWriters))
	fs.DurationVar(&c.Postgres.ConnectTimeout, "pg-connect-timeout", pg.ConnectTimeout, "PostgreSQL: how long connecting may take")
	fs.DurationVar(&c.Postgres.StatementTimeout, "pg-statement-timeout", pg.StatementTimeout, "PostgreSQL: how long one statement or commit may take (0: no bound)")
	fs.StringVar(&c.CPUProfile, "cpuprofile", "", "write a CPU profile of the whole run here (for dayu bench --cpuprofile)")
	_ = fs.MarkHidden("cpuprofile")
	fs.Float64Var(&c.RateLimit, "rate-limit", 0, "requests a second one client address may send, 429 APIGW.0308 beyond (0: no limit)")
	fs.IntVar(&c.RateBurst, "rate-burst", 100, "requests one client may send at once under --rate-limit")
	fs.DurationVar(&c.RequestTimeout, "request-timeout", dayuhttp.DefaultRequestTimeout, "how long one request may wait for the store before it fails with 500 DAYU.3531 (below --write-timeout)")
	fs.DurationVar(&c.WriteTimeout, "write-timeout", dayuhttp.DefaultWriteTimeout, "how long one request may take from its headers to the end of its answer")
	fs.BoolVar(&c.Intercept, "intercept", false, "also be an HTTPS proxy for Huawei Cloud's hosts (*.myhuaweicloud.com and --cloud's), answering them with a certificate of Dayu's CA (dayu ca); CONNECT elsewhere is refused")
	fs.StringVar(&c.Cloud, "cloud", "", "with --intercept, one more domain to intercept: the provider's cloud / HW_CLOUD")
	fs.IntVar(&c.JournalSize, "journal-size", 1000, "requests the request journal (GET /_dayu/requests) keeps, newest first (0: no journal)")
	fs.Uint64Var(&c.FaultSeed, "fault-seed", 0, "seed of the fault rules' probability draws, for a repeatable run (0: random)")
	fs.BoolVar(&c.Metrics, "metrics", true, "count Prometheus metrics and serve them at GET /metrics (admin token outside dev mode)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", "", "also serve GET /metrics on this address, without authentication (keep it private, e.g. 127.0.0.1:9090)")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", 15*time.Second, "how long SIGTERM waits for in-flight requests")
	fs.StringVar(&c.AdminToken, "admin-token", "", "bearer token of the admin API /_dayu/ (dev mode default: "+devAdminToken+"; without one outside dev mode the admin API is off)")
	d := dayu.DefaultTimings
	fs.DurationVar(&c.Timings.Provisioning, "provisioning-delay", d.Provisioning, "purchase to in effect (order 6 -> 3 -> 5, instance 1 -> 2)")
	fs.DurationVar(&c.Timings.Deletion, "deletion-delay", d.Deletion, "unsubscribe to gone from the list (instance 6 -> 3)")
	fs.DurationVar(&c.Timings.Grace, "grace-period", d.Grace, "after an expiry without renewal: status 5")
	fs.DurationVar(&c.Timings.Retention, "retention-period", d.Retention, "after the grace period: status 4 (frozen), then gone")
}

// devAdminToken is the admin token of dev mode when none is configured.
const devAdminToken = dayunode.DevAdminToken

// envName is the environment variable of a flag: --log-format is DAYU_LOG_FORMAT.
func envName(flag string) string {
	return "DAYU_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// flagsFromEnv sets every flag of fs not given on the command line from its
// DAYU_* environment variable, if set.
func flagsFromEnv(fs *pflag.FlagSet) []error {
	var errs []error
	fs.VisitAll(func(f *pflag.Flag) {
		if v, ok := os.LookupEnv(envName(f.Name)); ok && !f.Changed {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", envName(f.Name), err))
			}
		}
	})
	return errs
}

// load fills the flags not given on the command line from the environment,
// applies the defaults that depend on other settings, and validates.
func (c *Config) load(fs *pflag.FlagSet) error {
	errs := flagsFromEnv(fs)
	// Dev mode follows the stored world (serve decides); a world file is
	// never the dev world.
	c.devGiven = fs.Changed("dev")
	if c.Dev && c.WorldFile != "" {
		errs = append(errs, errors.New("--dev and --world: dev mode serves only the dev world, which Dayu makes itself on a new store; a world file is never the dev world (leave --dev out, give --admin-token for the admin API)"))
	}
	if c.ReplaceWorld && c.WorldFile == "" {
		errs = append(errs, errors.New("--replace-world needs --world, the world to replace the stored one with"))
	}
	for name, d := range map[string]time.Duration{"--provisioning-delay": c.Timings.Provisioning, "--deletion-delay": c.Timings.Deletion, "--grace-period": c.Timings.Grace, "--retention-period": c.Timings.Retention} {
		if err := dayu.CheckTiming(name, d); err != nil {
			errs = append(errs, errors.New(dayu.ErrorMessageOf(err)))
		}
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("--addr %q: %w", c.Addr, err))
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			errs = append(errs, fmt.Errorf("--metrics-addr %q: %w", c.MetricsAddr, err))
		}
		if !c.Metrics {
			errs = append(errs, errors.New("--metrics-addr needs --metrics"))
		}
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Addr
	}
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		errs = append(errs, fmt.Errorf("--public-url %q: must be an http:// or https:// URL with a host and no query", c.PublicURL))
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.DataDir == "" {
		errs = append(errs, errors.New("--data must not be empty"))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("--log-format %q: must be text or json", c.LogFormat))
	}
	if _, ok := logLevels[c.LogLevel]; !ok {
		errs = append(errs, fmt.Errorf("--log-level %q: must be debug, info, warn or error", c.LogLevel))
	}
	errs = append(errs, c.storeOptions())
	if c.Ephemeral && (c.Store != "sqlite" || fs.Changed("data")) {
		errs = append(errs, errors.New("--ephemeral: keeps the store in memory: give neither --store nor --data"))
	}
	if c.RateLimit < 0 || c.RateBurst < 1 {
		errs = append(errs, fmt.Errorf("--rate-limit %g, --rate-burst %d: must be >= 0 and >= 1", c.RateLimit, c.RateBurst))
	}
	if c.RequestTimeout <= 0 || c.RequestTimeout >= c.WriteTimeout {
		// The 500 of a request that waited that long must still be written.
		errs = append(errs, fmt.Errorf("--request-timeout %s: must be positive and below --write-timeout %s", c.RequestTimeout, c.WriteTimeout))
	}
	if c.JournalSize < 0 || c.JournalSize > 1_000_000 {
		errs = append(errs, fmt.Errorf("--journal-size %d: must be 0 to 1000000", c.JournalSize))
	}
	if c.ShutdownTimeout <= 0 {
		errs = append(errs, fmt.Errorf("--shutdown-timeout %s: must be positive", c.ShutdownTimeout))
	}
	return errors.Join(errs...)
}

// storeOptions settles the store's tuning from the flags, for the engine
// --store names, and checks it as the store's Open will: a bad setting stops
// the start with the flag's name.
func (c *Config) storeOptions() error {
	switch {
	case c.Store == "sqlite":
		c.SQLite = sqlite.DefaultOptions()
		c.SQLite.BatchMax = cmp.Or(c.BatchMax, c.SQLite.BatchMax)
		if err := c.SQLite.Check(sqlite.Limits); err != nil {
			return fmt.Errorf("--batch-max: %w", err)
		}
	case strings.HasPrefix(c.Store, "postgres://"), strings.HasPrefix(c.Store, "postgresql://"):
		c.Postgres.BatchMax = cmp.Or(c.BatchMax, postgres.DefaultConfig().BatchMax)
		// The client bounds a group commit as the server bounds a statement.
		c.Postgres.CommitTimeout = c.Postgres.StatementTimeout
		if err := c.Postgres.Check(); err != nil {
			return fmt.Errorf("--batch-max, --pg-*: %w", err)
		}
	default:
		return fmt.Errorf("--store %q: must be sqlite or a postgres:// URL", c.Store)
	}
	return nil
}

// clouds are the domains --intercept intercepts besides the default one.
func (c *Config) clouds() []string {
	if c.Cloud == "" {
		return nil
	}
	return []string{strings.ToLower(strings.Trim(c.Cloud, "."))}
}
