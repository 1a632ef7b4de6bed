package load

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Child is a server run as a child process: Dayu (`dayu serve`) or the
// no-op baseline.
type Child struct {
	URL string
	cmd *exec.Cmd
	out *tailBuffer
	// done is closed when the process has exited; err is its exit.
	done chan struct{}
	err  error
}

// FreeAddr returns a free 127.0.0.1 address (the port may in theory be
// taken again before the child binds it).
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// StartChild starts bin with args, a server that will listen on addr, and
// waits until GET /readyz answers 200, at most timeout. It returns the child
// and the time from the start of the process to the first ready answer.
func StartChild(ctx context.Context, bin string, args []string, addr string, timeout time.Duration) (*Child, time.Duration, error) {
	c := &Child{URL: "http://" + addr, out: &tailBuffer{max: 64 << 10}, done: make(chan struct{})}
	if err := CheckLoopback(c.URL); err != nil {
		return nil, 0, err
	}
	c.cmd = exec.Command(bin, args...)
	c.cmd.Stdout, c.cmd.Stderr = c.out, c.out
	c.cmd.SysProcAttr = &syscall.SysProcAttr{}
	dieWithParent(c.cmd.SysProcAttr)
	start := time.Now()
	if err := c.cmd.Start(); err != nil {
		return nil, 0, err
	}
	go func() {
		c.err = c.cmd.Wait()
		close(c.done)
	}()
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		resp, err := client.Get(c.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return c, time.Since(start), nil
			}
		}
		select {
		case <-tick.C:
		case <-c.done:
			return nil, 0, fmt.Errorf("%s exited before it was ready (%v): %s", bin, c.err, c.Output())
		case <-deadline.C:
			c.Stop()
			return nil, 0, fmt.Errorf("%s not ready after %s: %s", bin, timeout, c.Output())
		case <-ctx.Done():
			c.Stop()
			return nil, 0, ctx.Err()
		}
	}
}

// Pid is the child's process id.
func (c *Child) Pid() int { return c.cmd.Process.Pid }

// Output is the end of what the child printed.
func (c *Child) Output() string { return strings.TrimSpace(c.out.String()) }

// Stop ends the child: SIGTERM (a graceful shutdown), then SIGKILL if it
// has not exited within 20 s. It returns the child's exit error, if any
// other than the signal's.
func (c *Child) Stop() error {
	select {
	case <-c.done:
		return c.err
	default:
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(20 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
		return fmt.Errorf("killed: no exit 20 s after SIGTERM")
	}
	var exit *exec.ExitError
	if errors.As(c.err, &exit) && !exit.Exited() {
		return nil // ended by the signal
	}
	return c.err
}

// Memory is a process's resident memory, in bytes.
type Memory struct {
	RSS  uint64 `json:"rss_bytes"`  // VmRSS: now
	Peak uint64 `json:"peak_bytes"` // VmHWM: the most it ever had
}

// ReadMemory reads a process's VmRSS and VmHWM from /proc (Linux only).
func ReadMemory(pid int) (Memory, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Memory{}, err
	}
	var m Memory
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		var dst *uint64
		switch f[0] {
		case "VmRSS:":
			dst = &m.RSS
		case "VmHWM:":
			dst = &m.Peak
		default:
			continue
		}
		kb, err := strconv.ParseUint(f[1], 10, 64)
		if err != nil {
			return Memory{}, fmt.Errorf("/proc/%d/status: %s: %w", pid, f[0], err)
		}
		*dst = kb << 10
	}
	if m.RSS == 0 {
		return Memory{}, fmt.Errorf("/proc/%d/status: no VmRSS", pid)
	}
	return m, nil
}

// SampleRSS samples the process's VmRSS every interval until ctx ends, and
// then returns the largest it saw (0 if it could read none). Unlike VmHWM,
// this is the peak of that span only, not of the start-up.
func SampleRSS(ctx context.Context, pid int, interval time.Duration) <-chan uint64 {
	out := make(chan uint64, 1)
	go func() {
		var peak uint64
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			if m, err := ReadMemory(pid); err == nil {
				peak = max(peak, m.RSS)
			}
			select {
			case <-ctx.Done():
				out <- peak
				return
			case <-t.C:
			}
		}
	}()
	return out
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
