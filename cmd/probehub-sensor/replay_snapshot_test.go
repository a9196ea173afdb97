package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/agent"
	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/output"
	"github.com/probehub/probehub/sensor/probe"
	"github.com/probehub/probehub/sensor/proctable"
	"github.com/probehub/probehub/sensor/rules"
)

var updateSnapshot = flag.Bool("update-snapshot", false, "rewrite testdata/replay/snapshot*.jsonl from a live run (root)")

const (
	snapshotRule   = "Read sensitive file untrusted"
	snapshotEvents = "testdata/replay/snapshot.jsonl"
	snapshotGolden = "testdata/replay/snapshot.golden.jsonl"
)

// snapshotFields are the alert's fields that, for a process older than
// the recording, only the snapshot gives a replay.
var snapshotFields = []string{"proc.exepath", "proc.cmdline", "proc.pname", "user.name"}

// TestReplaySnapshotMatchesLive runs the live pipeline (probe → agent,
// seeded from /proc, as run does) and, beside it, the capture command
// (`capture --json`, its own probe) while a process started before both
// reads /etc/shadow: a renamed dash, so the stable rules' "Read sensitive
// file untrusted" fires, that has no clone or execve in the recording. The
// replay of the recording, through the replay command's engine, gives the
// same alert as the live sensor: every output field and the output text
// alike, but for the time (each probe stamps the syscall itself).
func TestReplaySnapshotMatchesLive(t *testing.T) {
	testutil.RequireRoot(t)
	rulesFile := testutil.SharedData(t, "falco_rules.yaml")
	dir := t.TempDir()
	attacker := filepath.Join(dir, "attacker")
	if b, err := os.ReadFile("/bin/dash"); err != nil {
		t.Fatal(err)
	} else if err := os.WriteFile(attacker, b, 0o755); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "go")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// Started before the sensor and the capture: the recording holds none
	// of its lifecycle events, only its open.
	old := exec.Command(attacker, "-c", fmt.Sprintf("read x < %s; read y < /etc/shadow", fifo))
	if err := old.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = old.Process.Kill(); _ = old.Wait() })

	types := append(append([]event.Type(nil), proctable.Lifecycle...), event.TypeOpen, event.TypeOpenat, event.TypeOpenat2)
	sink := &snapshotSink{}
	startSnapshotSensor(t, rulesFile, types, sink, nil)
	recording, capErr := startCapture(t, types, nil, `"comm":"attacker"`) // no container runtime here

	f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString("go\n")
	_ = f.Close()
	if err := old.Wait(); err != nil {
		t.Fatalf("%s: %v", attacker, err)
	}
	live, ok := sink.wait(snapshotRule, attacker, 1)
	if !ok {
		t.Fatalf("no live %q alert for %s", snapshotRule, attacker)
	}
	data, err := recording.stop(t, 1)
	if err != nil {
		t.Fatalf("capture: %v (stderr: %s)", err, capErr.String())
	}

	got := replayRecording(t, rulesFile, data)
	replayed, ok := alertFor(got, snapshotRule, attacker)
	if !ok {
		t.Fatalf("replay: no %q alert for %s in %d bytes of alerts", snapshotRule, attacker, len(got))
	}
	sameAlert(t, live, replayed)
	fields := live["output_fields"].(map[string]any)
	for _, k := range snapshotFields {
		if fields[k] == nil {
			t.Errorf("live %s is <NA>: %v", k, fields)
		}
	}
	if fields["proc.exepath"] != attacker {
		t.Errorf("proc.exepath %v, want %s", fields["proc.exepath"], attacker)
	}
	if *updateSnapshot && !t.Failed() {
		writeSnapshotFixture(t, data, attacker)
	}
}

// sameAlert compares a live alert and its replay: equal but for the
// time (each probe stamps the syscall itself).
func sameAlert(t *testing.T, live, replayed map[string]any) {
	t.Helper()
	for _, a := range []map[string]any{live, replayed} {
		delete(a, "time")
		delete(a["output_fields"].(map[string]any), "evt.time")
		out := a["output"].(string)
		a["output"] = out[strings.IndexByte(out, ' '):] // the time of day
	}
	if d := cmp.Diff(live, replayed); d != "" {
		t.Errorf("replayed alert differs from the live one (-live +replay):\n%s", d)
	}
}

// replayRecording replays data through the replay command's engine.
func replayRecording(tb testing.TB, rulesFile string, data []byte, extra ...rules.Option) []byte {
	tb.Helper()
	var out bytes.Buffer
	build := func(rec *recording) (*rules.Engine, error) {
		return replayRulesEngine(context.Background(), rec, []string{rulesFile}, false, io.Discard, extra...)
	}
	if err := replayWith(context.Background(), bytes.NewReader(data), &out, build); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}

// alertFor returns the alert of rule whose output contains marker, as a
// JSON object.
func alertFor(out []byte, rule, marker string) (map[string]any, bool) {
	for line := range bytes.SplitSeq(bytes.TrimSpace(out), []byte{'\n'}) {
		var a map[string]any
		if json.Unmarshal(line, &a) == nil && a["rule"] == rule && strings.Contains(fmt.Sprint(a["output"]), marker) {
			return a, true
		}
	}
	return nil, false
}

// alertsFor returns the alerts of rule whose output contains marker.
func alertsFor(out []byte, rule, marker string) []map[string]any {
	var all []map[string]any
	for line := range bytes.SplitSeq(bytes.TrimSpace(out), []byte{'\n'}) {
		if a, ok := alertFor(line, rule, marker); ok {
			all = append(all, a)
		}
	}
	return all
}

// snapshotSink keeps the live alerts as JSON.
type snapshotSink struct {
	mu     sync.Mutex
	alerts [][]byte
}

func (s *snapshotSink) Send(_ context.Context, m output.Message) error {
	s.mu.Lock()
	s.alerts = append(s.alerts, bytes.Clone(m.JSON))
	s.mu.Unlock()
	return nil
}

// all returns the alerts of rule whose output contains marker so far.
func (s *snapshotSink) all(rule, marker string) []map[string]any {
	s.mu.Lock()
	alerts := slices.Clone(s.alerts)
	s.mu.Unlock()
	var out []map[string]any
	for _, b := range alerts {
		if a, ok := alertFor(b, rule, marker); ok {
			out = append(out, a)
		}
	}
	return out
}

// wait returns the nth alert of rule whose output contains marker.
func (s *snapshotSink) wait(rule, marker string, nth int) (map[string]any, bool) {
	for deadline := time.Now().Add(testutil.Patience); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if all := s.all(rule, marker); len(all) >= nth {
			return all[nth-1], true
		}
	}
	return nil, false
}

// startSnapshotSensor runs the live pipeline as run does: an agent with
// the rules, the host's users and hostname, its table seeded from /proc,
// fed by a probe capturing types, with the container metadata of meta
// (nil: none).
func startSnapshotSensor(t *testing.T, rulesFile string, types []event.Type, sink output.Sink, meta agent.ContainerMetadata) {
	t.Helper()
	router, err := output.NewRouter(map[string]output.Sink{"mem": sink}, output.RouterConfig{Default: []string{"mem"}})
	if err != nil {
		t.Fatal(err)
	}
	hostname, _ := os.Hostname()
	ag, err := agent.New(agent.Config{Rules: agent.RulesConfig{Paths: []string{rulesFile}, Hostname: hostname},
		Router: router, EnvMax: probe.DefaultEnvMax, Containers: meta})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	router.Start(ctx)
	if _, err := ag.Table().Seed(ctx, "/proc"); err != nil {
		cancel()
		t.Fatal(err)
	}
	p, err := probe.Load(ctx, probe.Options{Types: types})
	if err != nil {
		cancel()
		testutil.SkipOrFail(t, fmt.Sprintf("load probes: %v", err))
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			ev, err := p.Read(ctx)
			if err != nil {
				if ctx.Err() != nil || errors.Is(err, probe.ErrClosed) {
					return
				}
				continue // malformed records: the test sees a missing alert
			}
			ag.HandleSyscall(&ev)
		}
	}()
	t.Cleanup(func() {
		cancel()
		_ = p.Close()
		<-done
		router.Close()
	})
}

// captureRun is a `capture --json` running in this process.
type captureRun struct {
	out    *markWriter
	cancel context.CancelFunc
	done   chan error
}

// startCapture runs the capture command's code (runCapture) with the
// types given, asking the CRI runtimes at criSockets (none: no runtime),
// and returns once its snapshot is written. Its opens of /etc/shadow on
// lines that contain marker are counted.
func startCapture(t *testing.T, types []event.Type, criSockets []string, marker string) (*captureRun, *testutil.SyncBuffer) {
	t.Helper()
	names := make([]string, len(types))
	for i, ty := range types {
		names[i] = ty.String()
	}
	f := &captureFlags{json: true, syscalls: strings.Join(names, ","), hostRoot: "/", snapshot: true,
		buffer: bufferFlags{snaplen: probe.DefaultSnaplen, envMax: probe.DefaultEnvMax},
		noCRI:  criSockets == nil, criSockets: criSockets}
	ctx, cancel := context.WithCancel(context.Background())
	r := &captureRun{out: &markWriter{marker: []byte(marker)}, cancel: cancel, done: make(chan error, 1)}
	stderr := &testutil.SyncBuffer{}
	go func() { r.done <- runCapture(ctx, f, r.out, stderr) }()
	t.Cleanup(func() { r.cancel() })
	for deadline := time.Now().Add(testutil.Patience); !strings.Contains(stderr.String(), "capture: snapshot of"); time.Sleep(20 * time.Millisecond) {
		select {
		case err := <-r.done:
			testutil.SkipOrFail(t, fmt.Sprintf("capture: %v (%s)", err, stderr.String()))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("capture wrote no snapshot in %v: %s", testutil.Patience, stderr.String())
		}
	}
	return r, stderr
}

// stop ends the capture once it has recorded n opens of /etc/shadow by
// its marker, and returns the recording.
func (r *captureRun) stop(t *testing.T, n int64) ([]byte, error) {
	t.Helper()
	for deadline := time.Now().Add(testutil.Patience); r.out.shadow.Load() < n; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("capture recorded no open of /etc/shadow in %v", testutil.Patience)
		}
	}
	r.cancel()
	err := <-r.done
	return r.out.bytes(), err
}

// markWriter keeps what the capture writes and counts the lines that
// open /etc/shadow and contain marker, and the container records.
type markWriter struct {
	marker     []byte
	mu         sync.Mutex
	b          bytes.Buffer
	shadow     atomic.Int64
	containers atomic.Int64
}

func (w *markWriter) Write(p []byte) (int, error) {
	for line := range bytes.Lines(p) {
		if bytes.Contains(line, []byte(`"name":"/etc/shadow"`)) && bytes.Contains(line, w.marker) {
			w.shadow.Add(1)
		}
	}
	w.containers.Add(int64(bytes.Count(p, []byte(`"container":{"cgroup":`))))
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *markWriter) bytes() []byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	return bytes.Clone(w.b.Bytes())
}

// writeSnapshotFixture writes testdata/replay/snapshot.jsonl from a live
// recording: its host and users records, the proc records of the attacker,
// its parent (this test) and grandparent (go test), without their
// environments, and without the arguments of this test, and the
// attacker's events; and the golden alerts of its replay. The processes
// above go test are the machine's, not the project's: left out.
func writeSnapshotFixture(t *testing.T, data []byte, attacker string) {
	t.Helper()
	var snaps []event.Snapshot
	procs := map[uint32]*event.Process{}
	var pid uint32
	var events [][]byte
	for line := range bytes.SplitSeq(bytes.TrimSpace(data), []byte{'\n'}) {
		if event.IsSnapshot(line) {
			s, err := event.ParseSnapshot(line)
			if err != nil {
				t.Fatal(err)
			}
			if s.Proc != nil {
				procs[s.Proc.PID] = s.Proc
				if s.Proc.ExePath == attacker {
					pid = s.Proc.PID
				}
				continue
			}
			snaps = append(snaps, s)
			continue
		}
		var ev event.Event
		if err := json.Unmarshal(line, &ev); err != nil {
			t.Fatal(err)
		}
		if pid != 0 && ev.Proc.PID == pid {
			events = append(events, line)
		}
	}
	var chain []event.Snapshot
	for p := pid; p != 0 && procs[p] != nil && len(chain) < 3; p = procs[p].PPID {
		proc := procs[p]
		proc.Env = nil
		if p == uint32(os.Getpid()) {
			proc.Args = nil
		}
		chain = append([]event.Snapshot{{Version: event.SnapshotVersion, Time: snaps[0].Time, Proc: proc}}, chain...)
		if proc.PPID == p {
			break
		}
	}
	snaps[0].Host.Procs = len(chain)
	var b bytes.Buffer
	for _, s := range append(snaps, chain...) {
		j, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(append(j, '\n'))
	}
	for _, l := range events {
		b.Write(append(l, '\n'))
	}
	if err := os.WriteFile(snapshotEvents, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	got := replayRecording(t, testutil.SharedData(t, "falco_rules.yaml"), b.Bytes(), rules.WithTimeLocation(time.UTC))
	if err := os.WriteFile(snapshotGolden, got, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestReplaySnapshotGolden replays a live recording (from
// TestReplaySnapshotMatchesLive, trimmed) whose process read /etc/shadow
// without a clone or execve in it: with its snapshot records the alert has
// the exe path, command line, parent and user name
// (snapshot.golden.jsonl); without them, as an older recording, the
// replay still runs, but those fields are <NA> (the command line only the
// comm).
func TestReplaySnapshotGolden(t *testing.T) {
	rulesFile := testutil.SharedData(t, "falco_rules.yaml")
	data, err := os.ReadFile(snapshotEvents)
	if err != nil {
		t.Fatal(err)
	}
	got := replayRecording(t, rulesFile, data, rules.WithTimeLocation(time.UTC))
	want, err := os.ReadFile(snapshotGolden)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("replay of %s differs from %s:\ngot:\n%s\nwant:\n%s", snapshotEvents, snapshotGolden, got, want)
	}
	// The command maps a file rather than scanning it: the same alerts.
	f, err := os.Open(snapshotEvents)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var mapped bytes.Buffer
	build := func(rec *recording) (*rules.Engine, error) {
		return replayRulesEngine(context.Background(), rec, []string{rulesFile}, false, io.Discard, rules.WithTimeLocation(time.UTC))
	}
	if err := replayWith(context.Background(), f, &mapped, build); err != nil {
		t.Fatal(err)
	}
	if mapped.String() != string(got) {
		t.Errorf("replay of the mapped file:\n%s\nwant:\n%s", mapped.String(), got)
	}
	a, ok := alertFor(got, snapshotRule, "attacker")
	if !ok {
		t.Fatalf("no %q alert in:\n%s", snapshotRule, got)
	}
	with := a["output_fields"].(map[string]any)
	for _, k := range append(snapshotFields, "proc.aname[2]") {
		if with[k] == nil {
			t.Errorf("%s is <NA> with the snapshot", k)
		}
	}

	var old bytes.Buffer
	for line := range bytes.Lines(data) {
		if !event.IsSnapshot(line) {
			old.Write(line)
		}
	}
	got = replayRecording(t, rulesFile, old.Bytes(), rules.WithTimeLocation(time.UTC))
	a, ok = alertFor(got, snapshotRule, "attacker")
	if !ok {
		t.Fatalf("without the snapshot: no %q alert in:\n%s", snapshotRule, got)
	}
	without := a["output_fields"].(map[string]any)
	for _, k := range snapshotFields {
		var want any // <NA>
		if k == "proc.cmdline" {
			want = "attacker" // the comm alone
		}
		if without[k] != want {
			t.Errorf("without the snapshot %s = %v, want %v", k, without[k], want)
		}
	}
}

// TestReplaySnapshotRecords: snapshot records anywhere in the input seed
// what follows them (a proc record the process's events, a users record
// the names, a container record its cgroup's events); a bad record stops
// the replay with an error naming its line.
func TestReplaySnapshotRecords(t *testing.T) {
	const rule = `
- rule: open seen
  desc: d
  condition: evt.type = openat
  output: "open (proc=%proc.name exepath=%proc.exepath parent=%proc.pname user=%user.name home=%user.homedir ctr=%container.id name=%container.name image=%container.image.repository)"
  priority: INFO
`
	rulesFile := filepath.Join(t.TempDir(), "r.yaml")
	if err := os.WriteFile(rulesFile, []byte(rule), 0o644); err != nil {
		t.Fatal(err)
	}
	const id = "4f3c1d2e5b6a79808f7e6d5c4b3a29181716151413121110f0e0d0c0b0a09080"
	const cg = "/kubepods.slice/cri-containerd-" + id + ".scope"
	head := `{"snapshot":1,"time":"2026-12-03T16:00:00Z","host":{"hostname":"rec-host","procs":2,"env_max":0}}
{"snapshot":1,"time":"2026-12-03T16:00:00Z","users":{"users":[{"uid":1000,"name":"alice","home":"/home/alice","shell":"/bin/sh"}],"groups":[{"gid":1000,"name":"alice"}]}}
{"snapshot":1,"time":"2026-12-03T16:00:00Z","proc":{"pid":5,"tid":5,"ppid":1,"comm":"sshd","exe":"/usr/sbin/sshd","exepath":"/usr/sbin/sshd"}}

{"snapshot":1,"time":"2026-12-03T16:00:00Z","proc":{"pid":10,"tid":10,"ppid":5,"uid":1000,"gid":1000,"comm":"vi","exe":"vi","exepath":"/usr/bin/vim.basic","args":["notes"],"cgroup":"` + cg + `"}}
`
	open := `{"time":"2026-12-03T16:00:01Z","type":"openat","res":3,"proc":{"pid":10,"tid":10,"ppid":5,"uid":1000,"gid":1000,"comm":"vi","cgroup":"` + cg + `"},"args":{"fd":3,"dirfd":-100,"name":"/etc/hosts","flags":0,"mode":0}}
`
	ctr := `{"snapshot":1,"time":"2026-12-03T16:00:02Z","container":{"cgroup":"` + cg + `","id":"` + id[:12] + `","full_id":"` + id + `","name":"web","image":"nginx:1.27","image_repository":"nginx"}}
`
	got := string(replayRecording(t, rulesFile, []byte(head+open+ctr+open), rules.WithTimeLocation(time.UTC)))
	for _, want := range []string{
		`"hostname":"rec-host"`,
		"open (proc=vi exepath=/usr/bin/vim.basic parent=sshd user=alice home=/home/alice ctr=" + id[:12] + " name=<NA> image=<NA>)",
		"open (proc=vi exepath=/usr/bin/vim.basic parent=sshd user=alice home=/home/alice ctr=" + id[:12] + " name=web image=nginx)",
		"container_name=web",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in:\n%s", want, got)
		}
	}

	for _, tc := range []struct {
		desc, input, want string
	}{
		{"newer version", `{"snapshot":2,"time":"2026-12-03T16:00:00Z","host":{}}` + "\n" + open, "events line 1: unsupported snapshot record version 2"},
		{"no kind", `{"snapshot":1,"time":"2026-12-03T16:00:00Z"}` + "\n" + open, "events line 1: snapshot record: holds 0 of host"},
		{"two kinds", `{"snapshot":1,"host":{},"proc":{"pid":1}}` + "\n", "events line 1: snapshot record: holds 2 of host"},
		{"proc without pid", "\n" + `{"snapshot":1,"proc":{"comm":"x"}}` + "\n" + open, "events line 2: snapshot record: proc: no pid"},
		{"bad JSON later", open + `{"snapshot":1,"proc":{"pid":"x"}}` + "\n", "events line 2: decode snapshot record"},
		{"container without cgroup", open + `{"snapshot":1,"container":{"id":"abc"}}` + "\n", "events line 2: snapshot record: container: no cgroup"},
		{"only snapshot", head, "holds no event (empty or only blank lines): only 4 snapshot records"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			build := func(rec *recording) (*rules.Engine, error) {
				return replayRulesEngine(context.Background(), rec, []string{rulesFile}, false, io.Discard)
			}
			err := replayWith(context.Background(), strings.NewReader(tc.input), io.Discard, build)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
