// Package child runs a server as a child process and waits until it is
// ready: the one harness behind dayu bench's servers and the process tests
// of cmd/dayu.
package child

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Spec is how to run a child.
type Spec struct {
	Bin  string
	Args []string
	// Env is the child's whole environment; nil is the parent's.
	Env []string
	// Dir is the child's working directory; "" is the parent's.
	Dir string
	// Addr is the loopback host:port the child will listen on.
	Addr string
	// ReadyTimeout bounds the wait for GET /readyz to answer 200.
	ReadyTimeout time.Duration
}

// Child is a server run as a child process: Dayu (`dayu serve`) or the
// bench's no-op baseline.
type Child struct {
	URL  string
	cmd  *exec.Cmd
	out  *tailBuffer
	done chan struct{} // closed when the process has exited
	err  error         // Wait's result, set before done closes
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

// Start starts the child and waits until GET /readyz answers 200. It
// returns the child and the time from the start of the process to the
// first ready answer. A child that exits or is not ready in time is an
// error that ends with what it printed.
func Start(ctx context.Context, s Spec) (*Child, time.Duration, error) {
	host, _, err := net.SplitHostPort(s.Addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return nil, 0, fmt.Errorf("child: %q is not a loopback address", s.Addr)
	}
	c := &Child{URL: "http://" + s.Addr, out: &tailBuffer{max: 1 << 20}, done: make(chan struct{})}
	c.cmd = exec.Command(s.Bin, s.Args...)
	c.cmd.Env, c.cmd.Dir = s.Env, s.Dir
	c.cmd.Stdout, c.cmd.Stderr = c.out, c.out
	c.cmd.WaitDelay = 5 * time.Second
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
	deadline := time.NewTimer(s.ReadyTimeout)
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
			return nil, 0, fmt.Errorf("%s exited before it was ready (%v): %s", s.Bin, c.err, c.Output())
		case <-deadline.C:
			c.Kill()
			return nil, 0, fmt.Errorf("%s not ready after %s: %s", s.Bin, s.ReadyTimeout, c.Output())
		case <-ctx.Done():
			c.Kill()
			return nil, 0, ctx.Err()
		}
	}
}

// Pid is the child's process id.
func (c *Child) Pid() int { return c.cmd.Process.Pid }

// Output is the end of what the child printed.
func (c *Child) Output() string { return strings.TrimSpace(c.out.String()) }

// Done is closed when the child has exited.
func (c *Child) Done() <-chan struct{} { return c.done }

// ExitCode is the exit code of a child that has exited (-1 if a signal
// ended it).
func (c *Child) ExitCode() int {
	<-c.done
	return c.cmd.ProcessState.ExitCode()
}

// Terminate sends SIGTERM, asking for a graceful shutdown.
func (c *Child) Terminate() {
	select {
	case <-c.done:
	default:
		_ = c.cmd.Process.Signal(syscall.SIGTERM)
	}
}

// Kill sends SIGKILL and waits for the exit.
func (c *Child) Kill() {
	select {
	case <-c.done:
		return
	default:
	}
	_ = c.cmd.Process.Kill()
	<-c.done
}

// Stop ends the child: SIGTERM (a graceful shutdown), then SIGKILL if it
// has not exited within 20 s. It returns the child's exit error, if any
// other than the signal's.
func (c *Child) Stop() error {
	c.Terminate()
	select {
	case <-c.done:
	case <-time.After(20 * time.Second):
		c.Kill()
		return fmt.Errorf("killed: no exit 20 s after SIGTERM")
	}
	var exit *exec.ExitError
	if errors.As(c.err, &exit) && !exit.Exited() {
		return nil // ended by the signal
	}
	return c.err
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
