package proctable

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/probehub/probehub/sensor/event"
)

// TestSnapshotRoundTrip: this machine's /proc, seeded, written as
// snapshot records and read back into another table, gives the same
// entries (an argv of one, an empty list, comes back as none).
func TestSnapshotRoundTrip(t *testing.T) {
	src := New(Options{EnvMax: 256})
	if _, err := src.Seed(context.Background(), "/proc"); err != nil {
		t.Fatal(err)
	}
	want := src.Entries()
	if len(want) < 2 {
		t.Fatalf("%d entries seeded", len(want))
	}
	at := time.Now()
	dst := New(Options{})
	for i := range want {
		p := want[i].Process()
		b, err := json.Marshal(event.Snapshot{Version: event.SnapshotVersion, Time: at, Proc: &p})
		if err != nil {
			t.Fatal(err)
		}
		s, err := event.ParseSnapshot(b)
		if err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		dst.PutAt(EntryOf(s.Proc), s.Time)
	}
	if d := cmp.Diff(want, dst.Entries(), cmpopts.IgnoreUnexported(Entry{}), cmpopts.EquateEmpty()); d != "" {
		t.Errorf("entries after the round trip (-want +got):\n%s", d)
	}
}

// TestPutAtThenEvents: a process from a snapshot read at t1 keeps its
// facts for its later events, and its own exec recorded before t1 (the
// probe was attached before /proc was read) still applies.
func TestPutAtThenEvents(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 16, 0, 0, 0, time.UTC)
	tab := New(Options{})
	tab.PutAt(Entry{PID: 1, Comm: "init", ExePath: "/sbin/init"}, t0.Add(time.Second))
	tab.PutAt(Entry{PID: 9, PPID: 1, Comm: "sh", Exe: "sh", ExePath: "/bin/dash", Args: []string{"-c", "x"}, Cwd: "/srv"}, t0.Add(time.Second))

	open := &event.Event{Time: t0.Add(2 * time.Second), Type: event.TypeOpenat, Proc: event.Process{PID: 9, TID: 9, Comm: "sh"}}
	tab.Track(open)
	if p := open.Proc; p.ExePath != "/bin/dash" || p.Cwd != "/srv" || p.PPID != 1 || len(p.Ancestors) != 1 || p.Ancestors[0].Name != "init" {
		t.Errorf("enriched %+v", p)
	}

	exec := &event.Event{Time: t0.Add(time.Second / 2), Type: event.TypeExecve,
		Proc: event.Process{PID: 9, TID: 9, PPID: 1, Comm: "cat", Exe: "cat", ExePath: "/usr/bin/cat", Args: []string{"f"}}}
	tab.Observe(exec)
	e, _ := tab.Get(9)
	if e.ExePath != "/usr/bin/cat" || e.Cwd != "/srv" {
		t.Errorf("after an exec older than the snapshot: %+v", e)
	}
}

func TestUsersSnapshot(t *testing.T) {
	dir := t.TempDir()
	passwd, group := filepath.Join(dir, "passwd"), filepath.Join(dir, "group")
	if err := os.WriteFile(passwd, []byte("root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\nalias:x:1000:1000::/x:/y\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(group, []byte("root:x:0:\nstaff:x:50:alice\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	u, err := LoadUsers(passwd, group)
	if err != nil {
		t.Fatal(err)
	}
	s := u.Snapshot()
	want := event.SnapshotUsers{
		Users:  []event.SnapshotUser{{UID: 0, Name: "root", Home: "/root", Shell: "/bin/bash"}, {UID: 1000, Name: "alice", Home: "/home/alice", Shell: "/bin/sh"}},
		Groups: []event.SnapshotGroup{{GID: 0, Name: "root"}, {GID: 50, Name: "staff"}},
	}
	if d := cmp.Diff(want, s); d != "" {
		t.Errorf("snapshot (-want +got):\n%s", d)
	}
	r := UsersOf(s)
	if r.User(1000) != "alice" || r.Group(50) != "staff" || r.User(7) != "" {
		t.Errorf("names: %q %q %q", r.User(1000), r.Group(50), r.User(7))
	}
	if h, sh, ok := r.Info(1000); !ok || h != "/home/alice" || sh != "/bin/sh" {
		t.Errorf("info: %q %q %v", h, sh, ok)
	}
	if err := r.Reload(); err == nil {
		t.Error("Reload of users from a snapshot did not fail")
	}
}
