package load

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"
)

// Report is the outcome of a bench run.
type Report struct {
	Machine     Machine       `json:"machine"`
	Store       string        `json:"store"` // "sqlite", "postgres" or "target"
	Target      string        `json:"target,omitempty"`
	Connections int           `json:"connections"`
	Duration    time.Duration `json:"duration_ns"`
	EPS         int           `json:"enterprise_projects"`
	Generator   string        `json:"generator"` // GeneratorWrk or GeneratorVegeta
	ListSize    int           `json:"list_size"` // instances in the list scenario's project
	Preloaded   int           `json:"preloaded"` // instances in the store's preload project
	PreloadTime time.Duration `json:"preload_ns,omitempty"`
	// FirstStart is the start-up to ready of the first start, with the
	// world file; Restart that of a second start on the same data, without
	// it. Both are 0 with --target.
	FirstStart time.Duration `json:"first_start_ns,omitempty"`
	Restart    time.Duration `json:"restart_ns,omitempty"`
	// IdleRSS is Dayu's VmRSS after the restart, before any load.
	IdleRSS uint64 `json:"idle_rss_bytes,omitempty"`
	// DevRestart and DevIdleRSS are the same for a server on the dev world
	// (SQLite, a new data directory): what a small world costs, for
	// reference, as the bench world's size weighs on both.
	DevRestart time.Duration `json:"dev_restart_ns,omitempty"`
	DevIdleRSS uint64        `json:"dev_idle_rss_bytes,omitempty"`
	// End is Dayu's memory after the last scenario: VmRSS, and VmHWM (its
	// peak over its life).
	End       Memory           `json:"end_memory"`
	Scenarios []ScenarioResult `json:"scenarios"`
	// Notes are what the run found about its setting that weighs on the
	// figures.
	Notes []string `json:"notes,omitempty"`
}

// ScenarioResult is one scenario: Dayu's figures, the baseline's, and
// Dayu's memory around the load.
type ScenarioResult struct {
	Name     string  `json:"name"`
	Dayu     Summary `json:"dayu"`
	Baseline Summary `json:"baseline"`
	// Naive is the naive PostgreSQL server's purchases (ServeNaivePostgres),
	// when the bench measures PostgreSQL.
	Naive     *Summary `json:"naive_postgres,omitempty"`
	RSSBefore uint64   `json:"rss_before_bytes,omitempty"`
	RSSPeak   uint64   `json:"rss_peak_bytes,omitempty"` // sampled every 10 ms during the load
}

// Machine is what the figures were measured on.
type Machine struct {
	CPUs     int    `json:"cpus"`
	CPUModel string `json:"cpu_model"`
	MemTotal uint64 `json:"mem_total_bytes"`
	Go       string `json:"go"`
	OS       string `json:"os"`
}

// ThisMachine describes the machine from /proc (Linux) and the runtime.
func ThisMachine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), Go: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	m.CPUModel = procField("/proc/cpuinfo", "model name")
	var kb uint64
	if _, err := fmt.Sscanf(procField("/proc/meminfo", "MemTotal"), "%d kB", &kb); err == nil {
		m.MemTotal = kb << 10
	}
	return m
}

// procField is the value of the first "name: value" line of a /proc file.
func procField(path, name string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// MiB formats bytes as MiB; 0 (not measured) as "n/a".
func MiB(b uint64) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
}

// ms formats a latency in milliseconds.
func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/1e6) }

// ratio is a/b, 0 when b is 0.
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// WriteText writes the report as plain-text tables.
func (r *Report) WriteText(out io.Writer) {
	m := r.Machine
	fmt.Fprintf(out, "machine: %d CPUs (%s), %.1f GiB, %s %s\n", m.CPUs, m.CPUModel, float64(m.MemTotal)/(1<<30), m.Go, m.OS)
	store := r.Store
	if r.Target != "" {
		store = "target " + r.Target
	}
	fmt.Fprintf(out, "run: store %s, load by %s, %d connections, %s per load, %d enterprise projects in the world, %d instances in the list project, %d preloaded",
		store, r.Generator, r.Connections, r.Duration, r.EPS, r.ListSize, r.Preloaded)
	if r.PreloadTime > 0 {
		fmt.Fprintf(out, " (in %s)", r.PreloadTime.Round(time.Second))
	}
	fmt.Fprintln(out)
	if r.FirstStart > 0 {
		fmt.Fprintf(out, "start-up to ready: first start %s (world file parsed and stored), restart on the existing data %s\n",
			ms(r.FirstStart), ms(r.Restart))
		fmt.Fprintf(out, "RSS idle (after the restart, before any load): %s\n", MiB(r.IdleRSS))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(out, "note: %s\n", n)
	}
	if r.DevRestart > 0 {
		fmt.Fprintf(out, "reference, dev world on SQLite: restart to ready %s, RSS idle %s\n", ms(r.DevRestart), MiB(r.DevIdleRSS))
	}
	for _, s := range r.Scenarios {
		fmt.Fprintf(out, "\n%-22s %10s %9s %9s %9s %9s %8s  %s\n", s.Name, "ok/s", "p50", "p99", "p99.9", "max", "answers", "errors")
		rows := []struct {
			name string
			s    Summary
		}{{"dayu", s.Dayu}, {"no-op baseline", s.Baseline}}
		if s.Naive != nil {
			rows = append(rows, struct {
				name string
				s    Summary
			}{"naive pgxpool server", *s.Naive})
		}
		for _, row := range rows {
			fmt.Fprintf(out, "  %-20s %10.1f %9s %9s %9s %9s %8d  %s\n", row.name, row.s.PerSec,
				ms(row.s.P50), ms(row.s.P99), ms(row.s.P999), ms(row.s.Max), row.s.Requests, FormatErrors(row.s.Errors))
		}
		d, b := s.Dayu, s.Baseline
		fmt.Fprintf(out, "  %-20s %9.3fx %8.1fx %8.1fx %8.1fx %8.1fx\n", "ratio dayu/no-op",
			ratio(d.PerSec, b.PerSec), ratio(float64(d.P50), float64(b.P50)), ratio(float64(d.P99), float64(b.P99)),
			ratio(float64(d.P999), float64(b.P999)), ratio(float64(d.Max), float64(b.Max)))
		if s.Naive != nil {
			fmt.Fprintf(out, "  %-20s %9.3fx\n", "ratio dayu/naive", ratio(d.PerSec, s.Naive.PerSec))
		}
		if s.RSSPeak > 0 {
			fmt.Fprintf(out, "  dayu RSS: %s before, %s peak during the load\n", MiB(s.RSSBefore), MiB(s.RSSPeak))
		}
	}
	if r.End.RSS > 0 {
		fmt.Fprintf(out, "\ndayu RSS after the last load: %s (VmHWM, its peak since start: %s)\n", MiB(r.End.RSS), MiB(r.End.Peak))
	}
	fmt.Fprintln(out, "\ntargets (reported, not asserted):")
	for _, t := range r.Targets() {
		fmt.Fprintf(out, "  %-60s %-10s %s\n", t.Name, t.Value, t.Verdict)
	}
}

// Target is one performance target of the project and this run's figure.
type Target struct {
	Name    string `json:"name"`
	Value   string `json:"value"`
	Verdict string `json:"verdict"` // "met", "MISSED", or how to measure it
}

// Targets checks the run against the project's targets, as far as one run
// can: those that compare two runs (with and without 1,000,000 stored
// instances) say so.
func (r *Report) Targets() []Target {
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "MISSED"
	}
	var ts []Target
	for _, s := range r.Scenarios {
		q := ratio(s.Dayu.PerSec, s.Baseline.PerSec)
		switch s.Name {
		case ScenarioPurchase:
			ts = append(ts,
				Target{"purchase ok/s >= 0.3x no-op baseline", fmt.Sprintf("%.3fx", q), verdict(q >= 0.3)},
				Target{"purchase p99 <= 25 ms", ms(s.Dayu.P99), verdict(s.Dayu.P99 <= 25*time.Millisecond)})
		case ScenarioList:
			ts = append(ts, Target{"list ok/s >= 0.5x no-op baseline", fmt.Sprintf("%.3fx", q), verdict(q >= 0.5)})
		}
	}
	world := fmt.Sprintf("bench world, %d eps", r.EPS)
	if r.FirstStart > 0 {
		ts = append(ts, Target{"start-up to ready < 100 ms (existing data, " + world + ")", ms(r.Restart), verdict(r.Restart < 100*time.Millisecond)})
	}
	if r.DevRestart > 0 {
		ts = append(ts, Target{"start-up to ready < 100 ms (existing data, dev world)", ms(r.DevRestart), verdict(r.DevRestart < 100*time.Millisecond)})
	}
	if r.IdleRSS > 0 {
		ts = append(ts, Target{"idle RSS < 30 MiB (" + world + ")", MiB(r.IdleRSS), verdict(r.IdleRSS < 30<<20)})
	}
	if r.DevIdleRSS > 0 {
		ts = append(ts, Target{"idle RSS < 30 MiB (dev world)", MiB(r.DevIdleRSS), verdict(r.DevIdleRSS < 30<<20)})
	}
	var peak uint64
	for _, s := range r.Scenarios {
		peak = max(peak, s.RSSPeak)
	}
	if peak > 0 {
		ts = append(ts, Target{"RSS under load < 100 MiB", MiB(peak), verdict(peak < 100<<20)})
	}
	ts = append(ts, Target{"purchase and list within 20% with 1,000,000 stored", "-", "compare a run with --preload 1000000 to one without"})
	return ts
}
