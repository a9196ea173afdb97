package rules_test

import (
	"encoding/json"
	"github.com/probehub/probehub/sensor/rules/k8saudit"
	"path/filepath"

	"fmt"
	"github.com/probehub/probehub/sensor/rules/syscall"
	"os"
	stdsyscall "syscall"
	"testing"
	"time"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/rules"
)

// mixedStream is a realistic stream, most events not matching: execs by a
// shell and a CI runner, file opens (libraries, /proc, configs, logs),
// connects to a service and DNS, dups and sockets.
func mixedStream() []*event.Event {
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	ctr := &event.Container{ID: "3f2a9c1b7d4e", Name: "api", Image: "ghcr.io/acme/api:1.4.2", Namespace: "shop", PodName: "api-7d9f-x2"}
	anc := []event.Ancestor{{PID: 900, Name: "containerd-shim", ExePath: "/usr/bin/containerd-shim-runc-v2"}, {PID: 1, Name: "systemd", ExePath: "/usr/lib/systemd/systemd"}}
	proc := func(comm, exe string, args ...string) event.Process {
		return event.Process{PID: 4242, TID: 4242, PPID: 900, UID: 1000, GID: 1000, EUID: 1000, LoginUID: 4294967295,
			Comm: comm, Exe: exe, ExePath: exe, Args: args, Cwd: "/srv", User: "app", Group: "app", Ancestors: anc,
			Start: t0.Add(-time.Hour)}
	}
	var out []*event.Event
	add := func(e event.Event) {
		e.Time = t0.Add(time.Duration(len(out)) * time.Microsecond)
		out = append(out, &e)
	}
	for i := 0; i < 4; i++ {
		add(event.Event{Type: event.TypeOpenat, Res: 3, Proc: proc("node", "/usr/local/bin/node", "server.js"), Container: ctr,
			Args: event.Args{{Name: "dirfd", Int: -100}, {Name: "name", Str: "/usr/lib/x86_64-linux-gnu/libssl.so.3", IsStr: true}, {Name: "flags", Int: 0o2000000}},
			FD:   &event.FD{Num: 3, Type: 'f', Name: "/usr/lib/x86_64-linux-gnu/libssl.so.3"}})
		add(event.Event{Type: event.TypeOpenat, Res: 5, Proc: proc("node", "/usr/local/bin/node", "server.js"), Container: ctr,
			Args: event.Args{{Name: "name", Str: "/proc/self/stat", IsStr: true}, {Name: "flags", Int: 0}},
			FD:   &event.FD{Num: 5, Type: 'f', Name: "/proc/self/stat"}})
		add(event.Event{Type: event.TypeOpenat, Res: 7, Proc: proc("node", "/usr/local/bin/node", "server.js"), Container: ctr,
			Args: event.Args{{Name: "name", Str: "/srv/logs/app.log", IsStr: true}, {Name: "flags", Int: 0o2101}},
			FD:   &event.FD{Num: 7, Type: 'f', Name: "/srv/logs/app.log"}})
		add(event.Event{Type: event.TypeConnect, Res: 0, Proc: proc("node", "/usr/local/bin/node", "server.js"), Container: ctr,
			Args: event.Args{{Name: "fd", Int: 9}},
			FD:   &event.FD{Num: 9, Type: '4', Name: "10.1.2.3:40312->10.1.7.9:5432", L4Proto: "tcp", CIP: "10.1.2.3", CPort: 40312, SIP: "10.1.7.9", SPort: 5432}})
		add(event.Event{Type: event.TypeExecve, Res: 0, Proc: proc("git", "/usr/bin/git", "rev-parse", "HEAD"), Container: ctr,
			Args: event.Args{{Name: "filename", Str: "/usr/bin/git", IsStr: true}}})
		add(event.Event{Type: event.TypeExecve, Res: 0, Proc: proc("sh", "/bin/sh", "-c", "date +%s"), Container: &event.Container{ID: "host"},
			Args: event.Args{{Name: "filename", Str: "/bin/sh", IsStr: true}}})
		add(event.Event{Type: event.TypeSendto, Res: 40, Proc: proc("node", "/usr/local/bin/node", "server.js"), Container: ctr,
			FD: &event.FD{Num: 11, Type: '4', Name: "10.1.2.3:53124->10.96.0.10:53", L4Proto: "udp", CIP: "10.1.2.3", CPort: 53124, SIP: "10.96.0.10", SPort: 53, Connected: true}})
		add(event.Event{Type: event.TypeClose, Res: 0, Proc: proc("node", "/usr/local/bin/node", "server.js"), Container: ctr})
	}
	return out
}

func loadUpstream(tb testing.TB, e *rules.Engine) {
	tb.Helper()
	path := testutil.SharedData(tb, "falco_rules.yaml")
	if _, err := e.LoadFiles(path); err != nil {
		tb.Fatal(err)
	}
}

func benchStream(b *testing.B, e *rules.Engine) {
	evs := mixedStream()
	matched := 0
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if len(e.Process("syscall", evs[i%len(evs)])) > 0 {
			matched++
		}
	}
	cpu := cpuTime() - cpu0
	b.StopTimer()
	// CPU time, not wall time: on a shared machine the wall clock counts
	// time spent descheduled.
	nsPerEv := float64(cpu.Nanoseconds()) / float64(b.N)
	b.ReportMetric(nsPerEv, "cpu-ns/event")
	b.ReportMetric(1e9/nsPerEv, "events/s/core")
	b.ReportMetric(float64(matched)/float64(b.N), "matches/event")
}

// BenchmarkUpstreamRules evaluates the mixed stream with every upstream
// stable rule loaded. Run with -cpu 1: events/s is per core.
func BenchmarkUpstreamRules(b *testing.B) {
	e := newEngine(b)
	loadUpstream(b, e)
	benchStream(b, e)
}

// BenchmarkNoRules is the floor: the same stream with no rules loaded.
func BenchmarkNoRules(b *testing.B) {
	benchStream(b, newEngine(b))
}

// BenchmarkLoadUpstream loads (parses and compiles) the upstream files.
func BenchmarkLoadUpstream(b *testing.B) {
	files := []string{testutil.SharedData(b, "falco_rules.yaml"), testutil.SharedData(b, "k8s_audit_rules.yaml")}
	var data []rules.File
	for _, f := range files {
		d, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		data = append(data, rules.File{Name: f, Data: d})
	}
	b.ReportAllocs()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		e := newEngine(b)
		if _, err := e.Load(data...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/load")
}

var _ = fmt.Sprint

// cpuTime is the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru stdsyscall.Rusage
	if err := stdsyscall.Getrusage(stdsyscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDecodeJSON is the cost of reading the same stream from the
// JSON that capture --json prints (replay's input), per event.
func BenchmarkDecodeJSON(b *testing.B) {
	var lines [][]byte
	for _, ev := range mixedStream() {
		l, err := json.Marshal(ev)
		if err != nil {
			b.Fatal(err)
		}
		lines = append(lines, l)
	}
	src := syscall.New()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if _, err := src.Decode(lines[i%len(lines)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/event")
}

// BenchmarkUpstreamRulesWithAudit is the mixed syscall stream with k8s
// audit events interleaved (one audit event per 8 syscall events), both
// upstream files loaded. Audit events come from the k8saudit package's
// testdata and many of them match (they are that package's rule cases).
func BenchmarkUpstreamRulesWithAudit(b *testing.B) {
	src := &k8saudit.Source{}
	e := newEngine(b, rules.WithSource(src))
	if _, err := e.LoadFiles(testutil.SharedData(b, "falco_rules.yaml"), testutil.SharedData(b, "k8s_audit_rules.yaml")); err != nil {
		b.Fatal(err)
	}
	paths, _ := filepath.Glob(filepath.Join("k8saudit", "testdata", "events", "*.json"))
	var audit []any
	for _, p := range paths {
		d, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		evs, err := src.Decode(d)
		if err != nil {
			b.Fatal(err)
		}
		audit = append(audit, evs...)
	}
	if len(audit) == 0 {
		b.Skip("no k8s audit events in k8saudit/testdata/events")
	}
	sys := mixedStream()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if i%9 == 8 {
			e.Process("k8s_audit", audit[(i/9)%len(audit)])
			continue
		}
		e.Process("syscall", sys[i%len(sys)])
	}
	nsPerEv := float64((cpuTime() - cpu0).Nanoseconds()) / float64(b.N)
	b.ReportMetric(nsPerEv, "cpu-ns/event")
	b.ReportMetric(1e9/nsPerEv, "events/s/core")
}
