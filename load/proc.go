package load

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

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
