package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// sampler reads a process's memory from /proc/PID/status.
type sampler struct{ pid int }

func newSampler(pid int) *sampler { return &sampler{pid: pid} }

// kB returns a /proc/PID/status field in kB (0 when absent).
func (s *sampler) kB(field string) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.pid))
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	return 0
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:3], " ")
}

func mb(kB int) string { return fmt.Sprintf("%.1f MB", float64(kB)/1000) }

// sample says the server's VmRSS and VmHWM now, and the load average.
func (s *sampler) sample() string {
	if s.pid == 0 {
		return "load " + loadavg()
	}
	return fmt.Sprintf("VmRSS %s, VmHWM %s, load %s", mb(s.kB("VmRSS")), mb(s.kB("VmHWM")), loadavg())
}

// during samples VmRSS every 100ms until ctx ends and returns the highest.
func (s *sampler) during(ctx context.Context) string {
	peak := 0
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		peak = max(peak, s.kB("VmRSS"))
		select {
		case <-ctx.Done():
			return fmt.Sprintf("%s (VmHWM %s), load %s", mb(peak), mb(s.kB("VmHWM")), loadavg())
		case <-t.C:
		}
	}
}
