package load

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// The load generators: wrk (C, event loop) when it is installed, since a
// Go generator on the same 2 cores caps a fast server's figure below its
// ceiling; vegeta (a Go library, nothing to install) otherwise.
const (
	GeneratorWrk    = "wrk"
	GeneratorVegeta = "vegeta"
)

// ChooseGenerator resolves "auto" to wrk when it is on the PATH and to
// vegeta otherwise, and checks a named one.
func ChooseGenerator(name string) (string, error) {
	switch name {
	case "auto":
		if _, err := exec.LookPath("wrk"); err == nil {
			return GeneratorWrk, nil
		}
		return GeneratorVegeta, nil
	case GeneratorVegeta:
		return name, nil
	case GeneratorWrk:
		if _, err := exec.LookPath("wrk"); err != nil {
			return "", fmt.Errorf("--generator wrk: %w", err)
		}
		return name, nil
	}
	return "", fmt.Errorf("--generator %q: must be auto, wrk or vegeta", name)
}

// wrkScript has each of wrk's threads send its share of the requests of the
// file, in turn (thread t the t-th, t+threads-th, ...), round and round. A
// request is a line: method, path, the headers as JSON-free "k: v" pairs
// joined by "\x1f", and the body, separated by tabs. done prints the figures
// as one JSON line.
const wrkScript = `
local threads = {}
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  local file, nthreads = args[1], tonumber(args[2])
  reqs = {}
  local n = 0
  for line in io.lines(file) do
    if n % nthreads == tid then
      local method, path, hdr, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      local headers = {}
      for k, v in hdr:gmatch("([^:\31]+): ([^\31]*)") do headers[k] = v end
      if body == "" then body = nil end
      table.insert(reqs, wrk.format(method, path, headers, body))
    end
    n = n + 1
  end
  i = 0
end
function request()
  i = i + 1
  if i > #reqs then i = 1 end
  return reqs[i]
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK {"requests":%d,"durationus":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50":%d,"p99":%d,"p999":%d,"max":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
end
`

// RunWrk runs cfg's load with wrk: one thread per CPU, cfg.Connections
// connections, for cfg.Duration. The requests are made up front, up to distinct
// of them (cfg.Next ending early with ErrExhausted is fine), and sent round
// and round; a request sent again that the server refuses counts as an
// error, so distinct should cover the run. wrk tells success by a 2xx or 3xx
// status, not by cfg.Expect, and gives no error codes.
func RunWrk(ctx context.Context, cfg RunConfig, distinct int, dir string) (Summary, error) {
	if err := CheckLoopback(cfg.BaseURL); err != nil {
		return Summary{}, err
	}
	file := filepath.Join(dir, "wrk-requests.tsv")
	if err := writeWrkRequests(file, cfg.Next, distinct); err != nil {
		return Summary{}, err
	}
	defer os.Remove(file)
	script := filepath.Join(dir, "wrk.lua")
	if err := os.WriteFile(script, []byte(wrkScript), 0o644); err != nil {
		return Summary{}, err
	}
	threads := min(runtime.NumCPU(), cfg.Connections)
	cmd := exec.CommandContext(ctx, "wrk", "-t", strconv.Itoa(threads), "-c", strconv.Itoa(cfg.Connections),
		"-d", strconv.Itoa(max(int(cfg.Duration.Seconds()), 1))+"s", "--timeout", "30s", "-s", script,
		cfg.BaseURL, "--", file, strconv.Itoa(threads))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return Summary{}, fmt.Errorf("wrk: %w: %s", err, stderr.String())
	}
	return parseWrk(stdout.String())
}

// writeWrkRequests writes the requests of next, up to distinct, one a line.
func writeWrkRequests(file string, next NextFunc, distinct int) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for n := range distinct {
		var t vegeta.Target
		if err := next(uint64(n), &t); errors.Is(err, ErrExhausted) {
			break
		} else if err != nil {
			f.Close()
			return err
		}
		var hdr []string
		for k, vs := range t.Header {
			for _, v := range vs {
				hdr = append(hdr, k+": "+v)
			}
		}
		if bytes.ContainsAny(t.Body, "\t\n") || strings.ContainsAny(t.URL, "\t\n") {
			f.Close()
			return fmt.Errorf("wrk: request %d has a tab or a newline", n)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", t.Method, t.URL, strings.Join(hdr, "\x1f"), t.Body)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// parseWrk reads the figures that wrkScript's done prints.
func parseWrk(out string) (Summary, error) {
	_, line, ok := strings.Cut(out, "WRK ")
	if !ok {
		return Summary{}, fmt.Errorf("wrk printed no figures: %s", out)
	}
	line, _, _ = strings.Cut(line, "\n")
	var r struct {
		Requests, DurationUS, Connect, Read, Write, Status, Timeout int
		P50, P99, P999, Max                                         int64
	}
	if err := json.Unmarshal([]byte(line), &r); err != nil {
		return Summary{}, fmt.Errorf("wrk: %w: %s", err, line)
	}
	us := func(v int64) time.Duration { return time.Duration(v) * time.Microsecond }
	s := Summary{Requests: r.Requests, OK: r.Requests - r.Status, Elapsed: us(int64(r.DurationUS)),
		P50: us(r.P50), P99: us(r.P99), P999: us(r.P999), Max: us(r.Max)}
	if s.Elapsed > 0 {
		s.PerSec = float64(s.OK) / s.Elapsed.Seconds()
	}
	for k, v := range map[string]int{"wrk: not a 2xx or 3xx answer": r.Status, "transport: connect": r.Connect,
		"transport: read": r.Read, "transport: write": r.Write, "transport: timeout": r.Timeout} {
		if v > 0 {
			if s.Errors == nil {
				s.Errors = map[string]int{}
			}
			s.Errors[k] = v
		}
	}
	return s, nil
}
