package minimize_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf/btf"
	"github.com/probehub/probehub/builder/extract"
	"github.com/probehub/probehub/builder/minimize"
	"github.com/probehub/probehub/internal/debcache"
	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/probe"
	"github.com/probehub/probehub/sensor/probe/bytecode"
	"golang.org/x/sys/unix"
)

// minimizedHostBTF minimizes this kernel's BTF for the sensor's probe.
func minimizedHostBTF(t *testing.T) *btf.Spec {
	t.Helper()
	b, err := bytecode.Object("amd64")
	if err != nil {
		t.Skip(err)
	}
	o, err := minimize.ParseObject(b)
	if err != nil {
		t.Fatal(err)
	}
	full, err := btf.LoadSpec("/sys/kernel/btf/vmlinux")
	if err != nil {
		testutil.SkipOrFail(t, "no kernel BTF: "+err.Error())
	}
	res, err := o.Minimize(full)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := btf.LoadSpecFromReader(bytes.NewReader(res.BTF))
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

func await(t *testing.T, p *probe.Probe, what string, match func(event.Event) bool) event.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Patience)
	defer cancel()
	for {
		ev, err := p.Read(ctx)
		if err != nil {
			t.Fatalf("no %s event: %v", what, err)
		}
		if match(ev) {
			return ev
		}
	}
}

// TestProbeWithMinimizedBTF is oracle (c): the sensor's probe, loaded with
// the minimized BTF as KernelTypes, captures the same exec, exit and open
// events the capture tests check, through both buffers.
func TestProbeWithMinimizedBTF(t *testing.T) {
	testutil.RequireRoot(t)
	if runtime.GOARCH != "amd64" {
		t.Skip("minimizes the amd64 object")
	}
	kt := minimizedHostBTF(t)
	for _, perf := range []bool{false, true} {
		t.Run(map[bool]string{false: "ringbuf", true: "perf"}[perf], func(t *testing.T) {
			p, err := probe.Load(context.Background(), probe.Options{KernelTypes: kt, ForcePerfBuffer: perf, Variant: bytecode.Portable,
				Types: []event.Type{event.TypeExecve, event.TypeProcexit, event.TypeOpenat}})
			if err != nil {
				t.Fatalf("load the probe with the minimized BTF: %v", err)
			}
			defer p.Close()
			cmd := exec.Command("/bin/sh", "-c", "exit 7", "probehub-marker", "second arg")
			cmd.Run()
			pid := uint32(cmd.Process.Pid)
			ev := await(t, p, "execve", func(ev event.Event) bool { return ev.Type == event.TypeExecve && ev.Proc.PID == pid })
			if ev.Proc.PPID != uint32(os.Getpid()) || ev.Proc.Comm != "sh" || len(ev.Proc.Args) != 4 || ev.Proc.Args[2] != "probehub-marker" {
				t.Errorf("exec event: %+v", ev.Proc)
			}
			if ev.Proc.MntNS == 0 || ev.Proc.PIDNS == 0 || ev.Proc.CgroupID == 0 {
				t.Errorf("namespaces or cgroup missing: %+v", ev.Proc)
			}
			exit := await(t, p, "procexit", func(ev event.Event) bool { return ev.Type == event.TypeProcexit && ev.Proc.PID == pid })
			if exit.Proc.ExitCode != 7 {
				t.Errorf("exit code %d, want 7", exit.Proc.ExitCode)
			}
			path := filepath.Join(t.TempDir(), "marker")
			fd, err := unix.Open(path, unix.O_CREAT|unix.O_WRONLY|unix.O_CLOEXEC, 0o640)
			if err != nil {
				t.Fatal(err)
			}
			unix.Close(fd)
			op := await(t, p, "openat", func(ev event.Event) bool {
				name, _ := ev.Args.String("name")
				return ev.Proc.PID == uint32(os.Getpid()) && name == path
			})
			// the file is new: the flags carry O_F_CREATED, read from
			// the new file's f_mode through the minimized BTF
			if flags, _ := op.Args.Int64("flags"); flags != unix.O_CREAT|unix.O_WRONLY|unix.O_CLOEXEC|event.OpenFlagCreated || op.FD == nil || op.FD.Name != path {
				t.Errorf("openat event: %+v %+v", op.Args, op.FD)
			}
		})
	}
}

// TestProbeWithAnotherKernelsBTF is the bad input no parser can catch: the
// minimized BTF of another kernel (Debian 6.1 cloud here) loads without an
// error on this kernel and the probe reads garbage. That is why artifacts
// are keyed by distro, version, arch and release and matched by banner
// (buildresult.Result.Banner) before a node uses one.
func TestProbeWithAnotherKernelsBTF(t *testing.T) {
	testutil.RequireRoot(t)
	if runtime.GOARCH != "amd64" {
		t.Skip("minimizes the amd64 object")
	}
	full := otherKernelBTF(t)
	b, _ := bytecode.Object("amd64")
	o, err := minimize.ParseObject(b)
	if err != nil {
		t.Fatal(err)
	}
	res, err := o.Minimize(full)
	if err != nil {
		t.Fatal(err)
	}
	kt, err := btf.LoadSpecFromReader(bytes.NewReader(res.BTF))
	if err != nil {
		t.Fatal(err)
	}
	p, err := probe.Load(context.Background(), probe.Options{KernelTypes: kt, Variant: bytecode.Portable, Types: []event.Type{event.TypeExecve}})
	if err != nil {
		t.Logf("load refused (the better outcome): %v", err)
		return
	}
	defer p.Close()
	cmd := exec.Command("/bin/sh", "-c", "exit 0", "probehub-marker")
	cmd.Run()
	pid := uint32(cmd.Process.Pid)
	// With another kernel's offsets the reads may fail and no record be
	// written at all: as wrong as garbage. The wait only tells the two
	// outcomes apart; nothing is asserted about its length.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var ev event.Event
	for {
		ev, err = p.Read(ctx)
		if err != nil {
			t.Logf("loaded silently and captured no execve (%v): the probe is blind on this kernel", err)
			return
		}
		if ev.Type == event.TypeExecve && ev.Proc.PID == pid {
			break
		}
	}
	if ev.Proc.PPID == uint32(os.Getpid()) && len(ev.Proc.Args) == 3 && ev.Proc.MntNS != 0 {
		t.Skip("the two kernels' layouts happen to agree on every field read")
	}
	t.Logf("loaded silently; garbage read: ppid %d (want %d), args %q, mntns %d", ev.Proc.PPID, os.Getpid(), ev.Proc.Args, ev.Proc.MntNS)
}

// otherKernelBTF is the BTF of the newest Debian 12 6.1 cloud kernel
// (PROBEHUB_OTHER_KERNEL_BTF names another file): read from the BTF cache
// the real-package tests keep beside the package cache, else extracted
// from the package internal/debcache fetches. Never a skip: in CI a
// missing package is a failure.
func otherKernelBTF(t *testing.T) *btf.Spec {
	t.Helper()
	if p := os.Getenv("PROBEHUB_OTHER_KERNEL_BTF"); p != "" {
		spec, err := btf.LoadSpec(p)
		if err != nil {
			t.Fatalf("PROBEHUB_OTHER_KERNEL_BTF: %v", err)
		}
		return spec
	}
	ctx := context.Background()
	deb := debcache.Fetch(t, ctx, debcache.Newest(t, ctx, false, `linux-image-6\.1\.0-\d+-cloud-amd64-unsigned`))
	cached := filepath.Join(filepath.Dir(debcache.Dir(t)), "btf", strings.TrimSuffix(filepath.Base(deb), ".deb")+".btf")
	if spec, err := btf.LoadSpec(cached); err == nil {
		return spec
	}
	res, err := extract.FromFile(ctx, deb, nil)
	if err != nil {
		t.Fatalf("extract BTF of %s: %v", deb, err)
	}
	spec, err := btf.LoadSpecFromReader(bytes.NewReader(res.BTF))
	if err != nil {
		t.Fatalf("BTF of %s: %v", deb, err)
	}
	return spec
}
