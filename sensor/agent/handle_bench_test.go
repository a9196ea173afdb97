package agent

import (
	"testing"
	"time"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/output"
	"github.com/probehub/probehub/sensor/proctable"
)

// BenchmarkHandleSyscall is the user-space cost of one captured event after
// decoding: process table, container, rules (upstream stable), metrics.
func BenchmarkHandleSyscall(b *testing.B) {
	r, _ := output.NewRouter(map[string]output.Sink{"x": &memSink{}}, output.RouterConfig{Default: []string{"x"}})
	a, err := New(Config{Rules: RulesConfig{Paths: []string{testutil.SharedData(b, "falco_rules.yaml")}}, Router: r})
	if err != nil {
		b.Fatal(err)
	}
	a.Table().Put(procEntry(1, 0, "systemd"))
	a.Table().Put(procEntry(100, 1, "bash"))
	ev := event.Event{Time: time.Now(), Type: event.TypeOpenat, Res: 3,
		Proc: event.Process{PID: 200, TID: 200, PPID: 100, Comm: "app", Cgroup: "/system.slice/app.service"},
		Args: event.Args{{Name: "fd", Int: 3}, {Name: "dirfd", Int: -100}, {Name: "name", Str: "/tmp/x", IsStr: true},
			{Name: "flags", Int: 0}, {Name: "mode", Int: 0}},
		FD: &event.FD{Num: 3, Type: 'f', Name: "/tmp/x"}}
	b.ReportAllocs()
	for b.Loop() {
		e := ev
		a.HandleSyscall(&e)
	}
}

func procEntry(pid, ppid uint32, comm string) proctableEntry {
	return proctableEntry{PID: pid, PPID: ppid, Comm: comm, ExePath: "/usr/bin/" + comm}
}

type proctableEntry = proctable.Entry
