package syscall

import (
	"testing"
	"time"

	"github.com/probehub/probehub/sensor/event"
)

// netSample is a recvfrom on an accepted IPv4 TCP socket, in a container.
func netSample() *event.Event {
	t0 := time.Date(2025, 1, 1, 0, 0, 10, 5, time.UTC)
	return &event.Event{Time: t0, Type: event.TypeRecvfrom, Res: 6,
		Proc: event.Process{PID: 20, TID: 21, VPID: 7, SID: 7, Comm: "bash", Exe: "-bash", ExePath: "/usr/bin/bash",
			Args: []string{"-c", "id"}, Cwd: "/root", Env: []string{"HOME=/root", "LD_PRELOAD=/tmp/x.so"},
			Ancestors: []event.Ancestor{{PID: 9, Name: "sshd", Args: []string{"-D"}}, {PID: 1, Name: "systemd"}}},
		Args:   event.Args{{Name: "fd", Int: 4}, {Name: "size", Int: 64}},
		FD:     &event.FD{Num: 4, Type: '4', L4Proto: "tcp", CIP: "192.0.2.9", CPort: 50000, SIP: "10.0.0.2", SPort: 22, Connected: true},
		Buffer: []byte("\xca\xfe\xba\xbeok"),
		Container: &event.Container{ID: "0123456789abcdef0123", Image: "repo/app@sha256:abcd",
			Mounts:    []event.Mount{{Source: "/run/containerd/containerd.sock", Dest: "/run/c.sock", Mode: "rw", RW: true}, {Source: "/proc", Dest: "/host/proc"}},
			PodLabels: map[string]string{"b": "2", "a": "1"}}}
}

// TestNewFields checks the extractors behind the catalog's newer rows.
func TestNewFields(t *testing.T) {
	s := New()
	rename := &event.Event{Type: event.TypeRenameat2, Proc: event.Process{Cwd: "/etc/ssh"},
		Args: event.Args{{Name: "oldpath", Str: "a.new", IsStr: true}, {Name: "newpath", Str: "../passwd", IsStr: true}}}
	for _, tc := range []struct {
		field, arg string
		ev         *event.Event
		want       string
		ok         bool
	}{
		{"fd.port", "", netSample(), "50000", true},
		{"fd.lport", "", netSample(), "50000", true},
		{"fd.is_server", "", netSample(), "false", true},
		{"fd.lnet", "", netSample(), "192.0.2.9", true},
		{"fd.rnet", "", netSample(), "10.0.0.2", true},
		{"fd.uid", "", netSample(), "214", true},
		{"fd.containername", "", netSample(), "0123456789ab:", false},
		{"evt.buffer", "", netSample(), "\xca\xfe\xba\xbeok", true},
		{"evt.buflen", "", netSample(), "6", true},
		{"evt.category", "", netSample(), "net", true},
		{"evt.is_io_read", "", netSample(), "true", true},
		{"evt.io_dir", "", netSample(), "r", true},
		{"evt.type.is", "recvfrom", netSample(), "1", true},
		{"evt.type.is", "connect", netSample(), "0", true},
		{"evt.time.iso8601", "", netSample(), "2025-01-01T00:00:10.000000005Z", true},
		{"evt.rawtime.s", "", netSample(), "1735689610", true},
		{"evt.count.error", "", netSample(), "0", true},
		{"proc.env", "", netSample(), "HOME=/root LD_PRELOAD=/tmp/x.so", true},
		{"proc.env", "LD_PRELOAD", netSample(), "/tmp/x.so", true},
		{"proc.env", "PATH", netSample(), "", false},
		{"proc.args", "1", netSample(), "id", true},
		{"proc.args", "2", netSample(), "", false},
		{"proc.aargs", "1", netSample(), "-D", true},
		{"proc.acmdline", "", netSample(), "sshd -D,systemd", true},
		{"proc.cmdnargs", "", netSample(), "2", true},
		{"proc.cmdlenargs", "", netSample(), "4", true},
		{"proc.exeline", "", netSample(), "-bash -c id", true},
		{"proc.sname", "", netSample(), "bash", true},
		{"proc.is_sid_leader", "", netSample(), "true", true},
		{"proc.loginshellid", "", netSample(), "20", true},
		{"thread.ismain", "", netSample(), "false", true},
		{"container.id", "", netSample(), "0123456789ab", true},
		{"container.full_id", "", netSample(), "0123456789abcdef0123", true},
		{"container.image.digest", "", netSample(), "sha256:abcd", true},
		{"container.mounts", "", netSample(), "/run/containerd/containerd.sock:/run/c.sock:rw:true:,/proc:/host/proc::false:", true},
		{"container.mount", "0", netSample(), "/run/containerd/containerd.sock:/run/c.sock:rw:true:", true},
		{"container.mount.dest", "containerd\\.sock$", netSample(), "/run/c.sock", true},
		{"container.mount.dest", "/proc*", netSample(), "/host/proc", true},
		{"container.mount.source", "^/host", netSample(), "/proc", true},
		{"container.mount.rdwr", "^/proc$", netSample(), "false", true},
		{"container.mount.dest", "/var/run/docker.sock", netSample(), "", false},
		{"k8s.pod.labels", "", netSample(), "a:1,b:2", true},
		{"k8s.pod.label.a", "", netSample(), "1", true},
		{"fs.path.source", "", rename, "/etc/ssh/a.new", true},
		{"fs.path.target", "", rename, "/etc/passwd", true},
		{"fs.path.targetraw", "", rename, "../passwd", true},
		{"fs.path.name", "", rename, "", false},
		{"evt.abspath", "dst", rename, "/etc/passwd", true},
		{"proc.vmsize", "", netSample(), "0", false},
		{"fdlist.nums", "", netSample(), "", false},
	} {
		got, ok := value(t, s, tc.field, tc.arg, tc.ev)
		if ok != tc.ok || ok && got != tc.want {
			t.Errorf("%s[%s] = %q, %v; want %q, %v", tc.field, tc.arg, got, ok, tc.want, tc.ok)
		}
	}
	ctr := func() *event.Event {
		e := netSample()
		e.Container = &event.Container{ID: "0123456789ab", FullID: "0123456789abcdef", Type: "containerd", ImageID: "feed",
			ImageDigest: "sha256:beef", HostNetwork: true, IP: "10.1.0.4", Labels: map[string]string{"io.x/y": "z"},
			Start: e.Time.Add(-3 * time.Second), PodSandboxID: "abcdef0123456789", PodCNIJSON: `{"eth0":{}}`,
			Healthcheck: []string{"-bash", "-c", "id"},
			Mounts:      []event.Mount{{Source: "/var/lib/x", Dest: "/x", Mode: "rbind,ro", Propagation: "rprivate"}}}
		return e
	}
	server := netSample()
	server.FD.Server = true
	for _, tc := range []struct {
		field, arg string
		ev         *event.Event
		want       string
		ok         bool
	}{
		{"container.full_id", "", ctr(), "0123456789abcdef", true},
		{"container.type", "", ctr(), "containerd", true},
		{"container.image.id", "", ctr(), "feed", true},
		{"container.image.digest", "", ctr(), "sha256:beef", true},
		{"container.host_network", "", ctr(), "true", true},
		{"container.host_pid", "", ctr(), "false", true},
		{"container.ip", "", ctr(), "10.1.0.4", true},
		{"k8s.pod.ip", "", ctr(), "10.1.0.4", true},
		{"container.label", "io.x/y", ctr(), "z", true},
		{"container.labels", "", ctr(), "io.x/y:z", true},
		{"container.start_ts", "", ctr(), "1735689607000000005", true},
		{"container.duration", "", ctr(), "3000000000", true},
		{"container.mount.propagation", "0", ctr(), "rprivate", true},
		{"container.mounts", "", ctr(), "/var/lib/x:/x:rbind,ro:false:rprivate", true},
		{"k8s.pod.sandbox_id", "", ctr(), "abcdef012345", true},
		{"k8s.pod.cni.json", "", ctr(), `{"eth0":{}}`, true},
		{"proc.is_container_healthcheck", "", ctr(), "true", true},
		{"proc.is_container_liveness_probe", "", ctr(), "false", true},
		{"fd.is_server", "", server, "true", true},
		{"fd.lport", "", server, "22", true},
		{"fd.rip", "", server, "192.0.2.9", true},
	} {
		got, ok := value(t, s, tc.field, tc.arg, tc.ev)
		if ok != tc.ok || ok && got != tc.want {
			t.Errorf("%s[%s] = %q, %v; want %q, %v", tc.field, tc.arg, got, ok, tc.want, tc.ok)
		}
	}
	// k8s.rc.label has no value in Falco's container plugin either: it is
	// always missing but not "not collected".
	if s.Uncollected("thread.cpu") || s.Uncollected("proc.env") || s.Uncollected("k8s.rc.label.x") {
		t.Error("Uncollected is wrong for thread.cpu, proc.env or k8s.rc.label.x")
	}
	if got, ok := value(t, s, "k8s.rc.label", "x", server); ok {
		t.Errorf("k8s.rc.label[x] = %q; want missing, as in Falco", got)
	}
}

// groupSample is an exec of whoami leading its process group in a
// container's pid namespace, from a binary changed after the namespace
// started.
func groupSample() *event.Event {
	t0 := time.Date(2025, 1, 1, 0, 0, 10, 0, time.UTC)
	return &event.Event{Time: t0, Type: event.TypeExecve,
		Proc: event.Process{PID: 30, VPID: 5, PPID: 20, PGID: 30, VPGID: 5, Comm: "whoami", Exe: "whoami", ExePath: "/usr/bin/whoami",
			ExeIno: 77, ExeCtime: t0.Add(-3 * time.Second), ExeMtime: t0.Add(-4 * time.Second), Start: t0.Add(-time.Second),
			PIDNSInitStart: t0.Add(-10 * time.Second),
			Ancestors: []event.Ancestor{{PID: 20, VPID: 4, Name: "bash", Start: t0.Add(-8 * time.Second), Env: []string{"A=1", "B=2"}},
				{PID: 9, Name: "sshd", Env: []string{"C=3"}}}}}
}

// TestGroupFields checks the process group, exe inode, parent and
// ancestor environment fields.
func TestGroupFields(t *testing.T) {
	s := New()
	child := groupSample()
	child.Proc.PID, child.Proc.VPID = 31, 6 // a child of the leader, same group
	child.Proc.Ancestors = append([]event.Ancestor{{PID: 30, Name: "sh", Exe: "sh", ExePath: "/bin/sh"}}, child.Proc.Ancestors...)
	child.Proc.PPID = 30
	for _, tc := range []struct {
		field, arg string
		ev         *event.Event
		want       string
		ok         bool
	}{
		{"proc.pgid", "", groupSample(), "30", true},
		{"proc.vpgid", "", groupSample(), "5", true},
		{"proc.is_vpgid_leader", "", groupSample(), "true", true},
		{"proc.is_pgid_leader", "", groupSample(), "true", true},
		{"proc.is_vpgid_leader", "", child, "false", true},
		{"proc.vpgid.name", "", child, "sh", true},
		{"proc.pgid.exepath", "", child, "/bin/sh", true},
		{"proc.is_vpgid_leader", "", netSample(), "", false},
		{"proc.exe_ino", "", groupSample(), "77", true},
		{"proc.exe_ino.ctime", "", groupSample(), "1735689607000000000", true},
		{"proc.exe_ino.mtime", "", groupSample(), "1735689606000000000", true},
		{"proc.exe_ino.ctime_duration_proc_start", "", groupSample(), "2000000000", true},
		{"proc.exe_ino.ctime_duration_pidns_start", "", groupSample(), "7000000000", true},
		{"proc.pidns_init_start_ts", "", groupSample(), "1735689600000000000", true},
		{"proc.pvpid", "", groupSample(), "4", true},
		{"proc.ppid.ts", "", groupSample(), "1735689602000000000", true},
		{"proc.ppid.duration", "", groupSample(), "8000000000", true},
		{"proc.aenv", "", groupSample(), "A=1 B=2", true},
		{"proc.aenv", "2", groupSample(), "C=3", true},
		{"proc.aenv", "C", groupSample(), "3", true},
		{"proc.aenv", "D", groupSample(), "", false},
		{"proc.exe_ino", "", netSample(), "", false},
	} {
		got, ok := value(t, s, tc.field, tc.arg, tc.ev)
		if ok != tc.ok || ok && got != tc.want {
			t.Errorf("%s[%s] = %q, %v; want %q, %v", tc.field, tc.arg, got, ok, tc.want, tc.ok)
		}
	}
}
