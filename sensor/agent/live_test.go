package agent

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/output"
	"github.com/probehub/probehub/sensor/probe"
)

// memSink keeps every alert it receives.
type memSink struct {
	mu   sync.Mutex
	msgs []alertJSON
}

type alertJSON struct {
	Rule         string         `json:"rule"`
	Priority     string         `json:"priority"`
	Hostname     string         `json:"hostname"`
	Output       string         `json:"output"`
	OutputFields map[string]any `json:"output_fields"`
}

func (s *memSink) Send(_ context.Context, m output.Message) error {
	var a alertJSON
	if err := json.Unmarshal(m.JSON, &a); err != nil {
		return err
	}
	s.mu.Lock()
	s.msgs = append(s.msgs, a)
	s.mu.Unlock()
	return nil
}

// find returns the first alert so far of rule whose output contains marker.
func (s *memSink) find(rule, marker string) (alertJSON, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.msgs {
		if a.Rule == rule && strings.Contains(a.Output, marker) {
			return a, true
		}
	}
	return alertJSON{}, false
}

// wait returns the first alert of rule whose output contains marker.
func (s *memSink) wait(t *testing.T, rule, marker string) (alertJSON, bool) {
	t.Helper()
	deadline := time.Now().Add(testutil.Patience)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		for _, a := range s.msgs {
			if a.Rule == rule && strings.Contains(a.Output, marker) {
				s.mu.Unlock()
				return a, true
			}
		}
		s.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	return alertJSON{}, false
}

func (s *memSink) rulesSeen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[string]bool{}
	var out []string
	for _, a := range s.msgs {
		if !seen[a.Rule] {
			seen[a.Rule] = true
			out = append(out, a.Rule)
		}
	}
	return out
}

// liveSensor runs the whole pipeline on this machine's kernel with the
// upstream stable rules, alerts routed per namespace into memory sinks.
type liveSensor struct {
	ag                    *Agent
	probe                 *probe.Probe
	def, tenantA, tenantB *memSink
}

// lost says what a missing alert may have been lost to: the probe's drops
// (a full buffer) and the alerts of the rule that did arrive.
func (ls *liveSensor) lost(rule string) string {
	st, err := ls.probe.Stats()
	var outs []string
	ls.def.mu.Lock()
	for _, a := range ls.def.msgs {
		if a.Rule == rule {
			outs = append(outs, a.Output)
		}
	}
	ls.def.mu.Unlock()
	return fmt.Sprintf("probe: %d events, %d dropped %v (%v); %q alerts: %q", st.Events, st.TotalDrops(), st.DropsBy, err, rule, outs)
}

// drops is how many events the probe has dropped so far (a full buffer).
func (ls *liveSensor) drops(t *testing.T) uint64 {
	t.Helper()
	st, err := ls.probe.Stats()
	if err != nil {
		t.Fatal(err)
	}
	return st.TotalDrops()
}

// expect performs act until sink has an alert of rule mentioning marker,
// and returns it. The sensor sees the whole machine: when something else
// floods the buffer (a load test, a build) the action's events can be
// dropped, which the probe counts. So act is repeated only after a drop
// since it was performed; with nothing dropped the alert must come from
// the one action, and a miss fails (after testutil.Patience).
func (ls *liveSensor) expect(t *testing.T, sink *memSink, rule, marker string, act func()) alertJSON {
	t.Helper()
	deadline := time.Now().Add(testutil.Patience)
	for attempt := 1; ; attempt++ {
		before, at := ls.drops(t), time.Now()
		act()
		for {
			if a, ok := sink.find(rule, marker); ok {
				if attempt > 1 {
					t.Logf("%q alert after %d actions: the probe dropped events after the first", rule, attempt)
				}
				return a
			}
			if time.Now().After(deadline) {
				t.Fatalf("no %q alert mentioning %q after %d action(s); alerts seen: %v; %s", rule, marker, attempt, sink.rulesSeen(), ls.lost(rule))
			}
			// Dropped since the action: its events may be among them.
			// Paced at a second, so a flood does not turn into a loop
			// of actions.
			if time.Since(at) > time.Second && ls.drops(t) > before {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

func startLive(t *testing.T, meta ContainerMetadata, opts ...func(*Config)) *liveSensor {
	t.Helper()
	return startLiveWith(t, meta, probe.Options{}, opts...)
}

// startLiveWith is startLive with the probe's options (its Types and
// IgnorePID are set here).
func startLiveWith(t *testing.T, meta ContainerMetadata, popts probe.Options, opts ...func(*Config)) *liveSensor {
	t.Helper()
	testutil.RequireRoot(t)
	rulesFile := testutil.SharedData(t, "falco_rules.yaml")
	ls := &liveSensor{def: &memSink{}, tenantA: &memSink{}, tenantB: &memSink{}}
	r, err := output.NewRouter(map[string]output.Sink{"default": ls.def, "tenant-a": ls.tenantA, "tenant-b": ls.tenantB},
		output.RouterConfig{Default: []string{"default"}, Routes: []output.Route{
			{Namespaces: []string{"tenant-a"}, Outputs: []string{"tenant-a"}},
			{Namespaces: []string{"tenant-b"}, Outputs: []string{"tenant-b"}},
		}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Rules: RulesConfig{Paths: []string{rulesFile}}, Router: r, Containers: meta, Capturable: probe.Supported()}
	for _, o := range opts {
		o(&cfg)
	}
	ls.ag, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.Start(ctx)
	if _, err := ls.ag.Table().Seed(ctx, "/proc"); err != nil {
		t.Fatal(err)
	}
	popts.Types, popts.IgnorePID = ls.ag.SyscallTypes(), uint32(os.Getpid())
	p, err := probe.Load(ctx, popts)
	if err != nil {
		cancel()
		testutil.SkipOrFail(t, fmt.Sprintf("load probes: %v", err))
	}
	ls.probe = p
	ls.ag.SetCaptureTypes(p.SetTypes) // as run wires it: a reload re-derives what the probe captures
	done := make(chan error, 1)
	go func() { done <- ls.ag.RunCapture(ctx, p) }()
	t.Cleanup(func() {
		cancel()
		p.Close()
		if err := <-done; err != nil {
			t.Errorf("capture: %v", err)
		}
		r.Close()
	})
	return ls
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Logf("%s %v: %v: %s", name, args, err, out)
	}
}

// TestLiveUpstreamRules performs real actions and asserts the stable rule
// that must fire for each, with its key output fields.
func TestLiveUpstreamRules(t *testing.T) {
	ls := startLive(t, nil)
	dir := t.TempDir()
	shm := fmt.Sprintf("/dev/shm/probehub-live-%d", os.Getpid())
	if err := copyFile("/bin/true", shm); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(shm) })
	logFile := fmt.Sprintf("/var/log/probehub-live-%d.log", os.Getpid())
	os.WriteFile(logFile, []byte("evidence\n"), 0o644)
	t.Cleanup(func() { os.Remove(logFile) })

	tests := []struct {
		desc, rule, marker string
		act                func(t *testing.T)
		fields             map[string]any
	}{
		{"read /etc/shadow from an untrusted program", "Read sensitive file untrusted", "file=/etc/shadow",
			func(t *testing.T) { run(t, "cat", "/etc/shadow") }, map[string]any{"fd.name": "/etc/shadow", "proc.name": "cat"}},
		{"symlink over a sensitive file", "Create Symlink Over Sensitive Files", filepath.Join(dir, "shadow-link"),
			func(t *testing.T) {
				os.Remove(filepath.Join(dir, "shadow-link")) // a repeated action makes it again
				run(t, "ln", "-s", "/etc/shadow", filepath.Join(dir, "shadow-link"))
			},
			map[string]any{"evt.arg.target": "/etc/shadow", "proc.name": "ln"}},
		{"execute from /dev/shm", "Execution from /dev/shm", shm,
			func(t *testing.T) { run(t, shm) }, map[string]any{"proc.exepath": shm}},
		{"fileless execution via memfd_create", "Fileless execution via memfd_create", "probehub-memfd",
			func(t *testing.T) { runHelper(t, "memfd-exec") }, nil},
		{"clear a log file", "Clear Log Activities", logFile,
			func(t *testing.T) { run(t, "sh", "-c", ": > "+logFile) }, map[string]any{"fd.name": logFile}},
		{"search for AWS credentials", "Find AWS Credentials", "aws_secret_access_key",
			func(t *testing.T) { run(t, "grep", "-r", "aws_secret_access_key", dir) }, map[string]any{"proc.name": "grep"}},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			a := ls.expect(t, ls.def, tc.rule, tc.marker, func() { tc.act(t) })
			checkFields(t, a, tc.fields, nil)
		})
	}
}

// checkFields checks an alert's output fields: each of equal has that
// value (wantFields), each of has is a string containing its value.
func checkFields(t *testing.T, a alertJSON, equal map[string]any, has map[string]string) {
	t.Helper()
	wantFields(t, a, equal)
	for k, want := range has {
		if got, _ := a.OutputFields[k].(string); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want it to contain %q", k, got, want)
		}
	}
}

// wantFields checks that each of want's output fields has its value.
func wantFields(t *testing.T, a alertJSON, want map[string]any) {
	t.Helper()
	for k, v := range want {
		if got := a.OutputFields[k]; got != v {
			t.Errorf("%s: %s = %v (%T), want %v (output: %s)", a.Rule, k, got, got, v, a.Output)
		}
	}
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o755)
}

// runHelper re-executes the test binary to perform an action that needs
// code, e.g. a fileless exec.
func runHelper(t *testing.T, action string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "PROBEHUB_HELPER="+action)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Logf("helper %s: %v: %s", action, err, out)
	}
}

// TestHelperProcess is not a test: runHelper runs it in a child process.
func TestHelperProcess(t *testing.T) {
	switch os.Getenv("PROBEHUB_HELPER") {
	case "":
		return
	case "shadow-loop": // reads /etc/shadow until killed
		for {
			if b, err := os.ReadFile("/etc/shadow"); err != nil || len(b) == 0 {
				os.Exit(6)
			}
			time.Sleep(50 * time.Millisecond)
		}
	case "net-cafebabe": // a TCP connection over 127.0.0.1 carrying 0xcafebabe
		ln, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			os.Exit(2)
		}
		go func() {
			if c, err := ln.Accept(); err == nil {
				b := make([]byte, 64)
				n, _ := c.Read(b)
				_, _ = c.Write(b[:n])
				c.Close()
			}
		}()
		c, err := net.Dial("tcp4", ln.Addr().String())
		if err != nil {
			os.Exit(3)
		}
		_, _ = c.Write([]byte{'x', 0xca, 0xfe, 0xba, 0xbe, 'y'})
		_, _ = c.Read(make([]byte, 64))
		c.Close()
		ln.Close()
	case "memfd-exec":
		b, err := os.ReadFile("/bin/true")
		if err != nil {
			os.Exit(2)
		}
		fd, err := unix.MemfdCreate("probehub-memfd", 0)
		if err != nil {
			os.Exit(3)
		}
		if _, err := unix.Write(fd, b); err != nil {
			os.Exit(4)
		}
		// fexecve: exec the memfd through its /proc/self/fd path.
		err = unix.Exec(fmt.Sprintf("/proc/self/fd/%d", fd), []string{"probehub-memfd"}, os.Environ())
		fmt.Fprintln(os.Stderr, "exec memfd:", err)
		os.Exit(5)
	default:
		if name := os.Getenv("PROBEHUB_HELPER"); !upstreamHelperAction(name) && !containerHelperAction(name) && !hostHelperAction(name) && !pollHelperAction(name) && !otherHelperAction(name) {
			fmt.Fprintln(os.Stderr, "unknown helper action", name)
			os.Exit(8)
		}
	}
	os.Exit(0)
}

// TestLiveContainerRouting runs the same sensitive read inside a cgroup laid
// out as containerd lays out a pod's container, in its own mount and pid
// namespaces, and checks container.id and that only tenant-a receives it.
func TestLiveContainerRouting(t *testing.T) {
	const id = "c0ffee0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
	meta := pods{id: {Name: "web", PodName: "web-0", Namespace: "tenant-a", Image: "docker.io/library/python:3.11"}}
	ls := startLive(t, meta)
	root := cgroup2Root(t)
	cg := filepath.Join(root, "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podaaaaaaaa_bbbb_cccc_dddd_eeeeeeeeeeee.slice", "cri-containerd-"+id+".scope")
	if err := os.MkdirAll(cg, 0o755); err != nil {
		testutil.SkipOrFail(t, fmt.Sprintf("create cgroup %s: %v", cg, err))
	}
	t.Cleanup(func() { removeCgroup(filepath.Join(root, "kubepods.slice")) })
	fd, err := unix.Open(cg, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	a := ls.expect(t, ls.tenantA, "Read sensitive file untrusted", "file=/etc/shadow", func() {
		cmd := exec.Command("cat", "/etc/shadow")
		cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: fd, Cloneflags: unix.CLONE_NEWNS | unix.CLONE_NEWPID}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("run in container cgroup: %v: %s", err, out)
		}
	})
	if a.OutputFields["container.id"] != id[:12] || a.OutputFields["k8s.ns.name"] != "tenant-a" {
		t.Errorf("container.id=%v k8s.ns.name=%v", a.OutputFields["container.id"], a.OutputFields["k8s.ns.name"])
	}
	if rs := ls.tenantB.rulesSeen(); len(rs) != 0 {
		t.Errorf("tenant-b received %v", rs)
	}
}

// cgroup2Root finds where the unified cgroup hierarchy is mounted.
func cgroup2Root(t *testing.T) string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		for i, fld := range fields {
			if fld == "-" && i+1 < len(fields) && fields[i+1] == "cgroup2" {
				return fields[4]
			}
		}
	}
	testutil.SkipOrFail(t, "no cgroup2 hierarchy mounted")
	return ""
}

func removeCgroup(dir string) {
	var dirs []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			dirs = append(dirs, p)
		}
		return nil
	})
	for i := len(dirs) - 1; i >= 0; i-- {
		os.Remove(dirs[i])
	}
}

var _ = event.TypeOpenat
