package probe

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/probe/bytecode"
)

// BenchmarkCapturePpoll times a ppoll over 16 ready fds (8 connected TCP
// sockets, 8 files) without the probe and with it capturing ppoll (each
// fd described: the tuple or path of 16 fds per call), per variant; a
// reader goroutine drains and decodes the records. ns/op is the ppoll's
// wall time (the reader shares the CPUs); bpf-ns/run the kernel's account
// of the exit program's run time per run (BPF stats), the probe's own
// cost. Compare the phases run together.
func BenchmarkCapturePpoll(b *testing.B) {
	testutil.RequireRoot(b)
	fds := benchPollFDs(b)
	loop := func(b *testing.B) {
		for b.Loop() {
			if _, err := unix.Ppoll(fds, &unix.Timespec{}, nil); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("none", loop)
	for _, v := range []bytecode.Variant{bytecode.Fast, bytecode.Portable} {
		b.Run("ppoll/"+string(v), func(b *testing.B) {
			if v == bytecode.Fast {
				if err := canFast(); err != nil {
					b.Skipf("fast variant: %v", err)
				}
			}
			p := loadWith(b, Options{Types: []event.Type{event.TypePpoll}, Variant: v})
			defer drainWithStats(b, p)()
			k0 := progStats(p)
			loop(b)
			b.StopTimer()
			if k := progStats(p); k.RunCount > k0.RunCount {
				b.ReportMetric(float64((k.Runtime-k0.Runtime).Nanoseconds())/float64(k.RunCount-k0.RunCount), "bpf-ns/run")
			}
		})
	}
}

func benchPollFDs(b *testing.B) []unix.PollFd {
	b.Helper()
	ln, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { unix.Close(ln) })
	if err := unix.Bind(ln, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		b.Fatal(err)
	}
	if err := unix.Listen(ln, 16); err != nil {
		b.Fatal(err)
	}
	sa, err := unix.Getsockname(ln)
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "polled")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		b.Fatal(err)
	}
	var fds []unix.PollFd
	for range 8 {
		c, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { unix.Close(c) })
		if err := unix.Connect(c, sa); err != nil {
			b.Fatal(err)
		}
		f, err := unix.Open(path, unix.O_RDONLY, 0)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { unix.Close(f) })
		fds = append(fds, unix.PollFd{Fd: int32(c), Events: unix.POLLOUT}, unix.PollFd{Fd: int32(f), Events: unix.POLLIN})
	}
	return fds
}

// drainWithStats reads p's records on another goroutine, so that the ring
// never fills, and turns on the kernel's BPF run-time statistics for the
// benchmark's figures; the returned func stops both.
func drainWithStats(b *testing.B, p *Probe) (stop func()) {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			if _, err := p.Read(ctx); err != nil && ctx.Err() != nil {
				return
			}
		}
	}()
	stats, err := ebpf.EnableStats(uint32(unix.BPF_STATS_RUN_TIME))
	return func() {
		cancel()
		<-done
		if err == nil {
			stats.Close()
		}
	}
}
