package event

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseSnapshot(t *testing.T) {
	at := time.Date(2026, 12, 3, 16, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		desc string
		in   string
		want Snapshot
		err  string
	}{
		{desc: "host", in: `{"snapshot":1,"time":"2026-12-03T16:00:00Z","host":{"hostname":"n1","procs":2,"env_max":4095}}`,
			want: Snapshot{Version: 1, Time: at, Host: &SnapshotHost{Hostname: "n1", Procs: 2, EnvMax: 4095}}},
		{desc: "users", in: `{"snapshot":1,"time":"2026-12-03T16:00:00Z","users":{"users":[{"uid":0,"name":"root","home":"/root","shell":"/bin/sh"}],"groups":[{"gid":0,"name":"root"}]}}`,
			want: Snapshot{Version: 1, Time: at, Users: &SnapshotUsers{Users: []SnapshotUser{{UID: 0, Name: "root", Home: "/root", Shell: "/bin/sh"}},
				Groups: []SnapshotGroup{{GID: 0, Name: "root"}}}}},
		{desc: "proc, unknown keys ignored", in: `{"snapshot":1,"time":"2026-12-03T16:00:00Z","proc":{"pid":7,"ppid":1,"comm":"sh","args":["-c","x"],"later":true}}`,
			want: Snapshot{Version: 1, Time: at, Proc: &Process{PID: 7, PPID: 1, Comm: "sh", Args: []string{"-c", "x"}}}},
		{desc: "container", in: `{"snapshot":1,"time":"2026-12-03T16:00:00Z","container":{"cgroup":"/k/cri-containerd-ab.scope","id":"ab","name":"web"}}`,
			want: Snapshot{Version: 1, Time: at, Container: &SnapshotContainer{Cgroup: "/k/cri-containerd-ab.scope", Container: Container{ID: "ab", Name: "web"}}}},
		{desc: "version 0", in: `{"time":"2026-12-03T16:00:00Z","host":{}}`, err: "unsupported snapshot record version 0"},
		{desc: "version 2", in: `{"snapshot":2,"host":{}}`, err: "unsupported snapshot record version 2 (this build reads version 1)"},
		{desc: "not JSON", in: `{"snapshot":1,`, err: "decode snapshot record"},
		{desc: "no kind", in: `{"snapshot":1}`, err: "holds 0 of host, users, proc and container"},
		{desc: "two kinds", in: `{"snapshot":1,"users":{},"host":{}}`, err: "holds 2 of"},
		{desc: "negative procs", in: `{"snapshot":1,"host":{"procs":-1}}`, err: "host: procs -1 is negative"},
		{desc: "proc without pid", in: `{"snapshot":1,"proc":{"comm":"x"}}`, err: "proc: no pid"},
		{desc: "user without name", in: `{"snapshot":1,"users":{"users":[{"uid":3}]}}`, err: "user 0 (uid 3) has no name"},
		{desc: "group without name", in: `{"snapshot":1,"users":{"groups":[{"gid":0,"name":"root"},{"gid":4}]}}`, err: "group 1 (gid 4) has no name"},
		{desc: "container without id", in: `{"snapshot":1,"container":{"cgroup":"/x"}}`, err: "container: no id"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			got, err := ParseSnapshot([]byte(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			if !IsSnapshot([]byte(tc.in)) {
				t.Errorf("IsSnapshot(%s) = false", tc.in)
			}
		})
	}
	if _, err := ParseSnapshot([]byte(`{"snapshot":9,"host":{}}`)); !errors.Is(err, ErrSnapshotVersion) {
		t.Errorf("error %v does not wrap ErrSnapshotVersion", err)
	}
}

// FuzzParseSnapshot: any line gives a record that passes its own checks
// and survives a round trip through its JSON form, or an error; never a
// panic.
func FuzzParseSnapshot(f *testing.F) {
	for _, s := range []string{
		`{"snapshot":1,"time":"2026-12-03T16:00:00Z","host":{"hostname":"n1","procs":2,"env_max":4095}}`,
		`{"snapshot":1,"time":"2026-12-03T16:00:00Z","users":{"users":[{"uid":0,"name":"root","home":"/root","shell":"/bin/bash"}],"groups":[{"gid":0,"name":"root"}]}}`,
		`{"snapshot":1,"time":"2026-12-03T16:00:00Z","proc":{"pid":21236,"tid":21236,"ppid":21220,"vpid":21236,"sid":21236,"uid":0,"gid":0,"euid":0,"loginuid":4294967295,"comm":"bash","exe":"bash","exepath":"/usr/bin/bash","args":["/dev/fd/3"],"env":["A=b"],"cwd":"/work","cgroup":"/","start":"2026-12-03T18:36:10.39Z","pgid":21236,"vpgid":21236,"exe_ino":246999,"exe_ctime":"2025-04-18T22:47:34Z","exe_mtime":"2025-04-18T22:47:34Z"}}`,
		`{"snapshot":1,"time":"2026-12-03T16:00:02Z","container":{"cgroup":"/k/cri-containerd-ab.scope","id":"ab","full_id":"ab","name":"web","image":"nginx:1.27","labels":{"a":"b"},"mounts":[{"source":"/s","dest":"/d","rw":true}]}}`,
		`{"snapshot":2}`,
		`{"snapshot":1,"proc":{"pid":"1"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseSnapshot(b)
		if err != nil {
			return
		}
		if err := s.validate(); err != nil {
			t.Fatalf("parsed record fails its checks: %v", err)
		}
		j, err := json.Marshal(s)
		if err != nil {
			t.Fatalf("marshal %+v: %v", s, err)
		}
		if !IsSnapshot(j) {
			t.Fatalf("marshalled record does not start with the snapshot key: %s", j)
		}
		if _, err := ParseSnapshot(j); err != nil {
			t.Fatalf("round trip of %s: %v", j, err)
		}
	})
}
