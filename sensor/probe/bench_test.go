package probe

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/event"
)

// BenchmarkCapture times 1,000,000 open/close pairs without the probe, with
// it capturing openat (records drained and decoded by a reader goroutine),
// and with openat filtered out in the kernel (only execve captured). Run it
// with -benchtime 1x: each phase is one timed loop.
func BenchmarkCapture(b *testing.B) {
	testutil.RequireRoot(b)
	const iters = 1_000_000
	path := filepath.Join(b.TempDir(), "bench")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		b.Fatal(err)
	}
	loop := func() time.Duration {
		start := time.Now()
		for range iters {
			fd, err := unix.Open(path, unix.O_RDONLY, 0)
			if err != nil {
				b.Fatal(err)
			}
			unix.Close(fd)
		}
		return time.Since(start)
	}
	for range b.N {
		base := loop()
		openat, st := captured(b, loop, event.TypeOpenat)
		filtered, _ := captured(b, loop, event.TypeExecve)
		base = min(base, loop())
		perIter := float64(base.Nanoseconds()) / iters
		b.ReportMetric(perIter, "ns/open-close")
		b.ReportMetric(float64(openat)/float64(base), "x-openat")
		b.ReportMetric(float64(filtered)/float64(base), "x-filtered")
		line := fmt.Sprintf("capture overhead, %d open/close: baseline %v (%.0f ns/iter), capturing openat %v (%.3fx, %d events, %d drops), openat filtered in-kernel %v (%.3fx)",
			iters, base, perIter, openat, float64(openat)/float64(base), st.Events, st.TotalDrops(), filtered, float64(filtered)/float64(base))
		b.Log(line)
		fmt.Println(line)
	}
}

// captured runs loop with the probe capturing types and a goroutine
// draining it, and returns the loop's time and the probe's stats.
func captured(b *testing.B, loop func() time.Duration, types ...event.Type) (time.Duration, Stats) {
	b.Helper()
	p, err := Load(context.Background(), Options{Types: types})
	if err != nil {
		b.Fatalf("load probe: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			if _, err := p.Read(context.Background()); err != nil {
				return
			}
		}
	}()
	d := loop()
	time.Sleep(100 * time.Millisecond)
	st, _ := p.Stats()
	p.Close()
	<-done
	return d, st
}
