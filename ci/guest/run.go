package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/probehub/probehub/wire/job"
)

func run(console io.Writer, tl *timeline) job.Result {
	var res job.Result
	step := func(name string, start time.Time, err error) bool {
		s := job.Step{Name: name, OK: err == nil, MS: time.Since(start).Milliseconds()}
		if err != nil {
			s.Detail = err.Error()
		}
		res.Steps = append(res.Steps, s)
		return err == nil
	}
	t0 := time.Now()
	if !step("mount", t0, mountAll()) {
		return res
	}
	tl.mark("mounted")
	res.Release, res.Banner = kernelIdentity()
	_, err := os.Stat("/sys/kernel/btf/vmlinux")
	res.BTF = err == nil
	j, err := readJob()
	if !step("job", t0, err) {
		return res
	}
	if j.Kernel != "" && j.Kernel != res.Release {
		step("kernel", t0, fmt.Errorf("booted %s, job is for %s", res.Release, j.Kernel))
		return res
	}
	j = dropUnsupported(j, tl)
	if len(j.Profile) > 0 {
		fmt.Fprintf(console, "guest: %s, profiling the sensor's start-up\n", res.Release)
		res.Profile = profile(j.Profile)
		tl.mark("profiled")
	}
	fmt.Fprintf(console, "guest: %s, kernel BTF %v, starting sensor\n", res.Release, res.BTF)
	detect(&res, j, step, tl)
	return res
}

// profile runs the diagnostic argv and decodes its marks; a failure is
// itself a mark.
func profile(argv []string) []job.Mark {
	var stderr tail
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var marks []job.Mark
	if err == nil {
		err = json.Unmarshal(out, &marks)
	}
	if err != nil {
		marks = append(marks, job.Mark{Name: fmt.Sprintf("profile failed: %v: %s", err, stderr.String())})
	}
	return marks
}

func readJob() (job.Job, error) {
	var j job.Job
	b, err := os.ReadFile(job.Path)
	if err != nil {
		return j, fmt.Errorf("read job: %w", err)
	}
	if err := json.Unmarshal(b, &j); err != nil {
		return j, fmt.Errorf("decode job: %w", err)
	}
	return j, nil
}

// dropUnsupported removes the actions and expectations that need what
// this kernel lacks, marking each in the timeline.
func dropUnsupported(j job.Job, tl *timeline) job.Job {
	have := map[string]bool{"": true, job.NeedsIA32: haveIA32(), job.NeedsAArch32: haveAArch32()}
	lacks := map[string]bool{}
	drop := func(need string) bool {
		if !have[need] {
			lacks[need] = true
		}
		return !have[need]
	}
	j.Actions = slices.DeleteFunc(j.Actions, func(a job.Action) bool { return drop(a.Needs) })
	j.Expect = slices.DeleteFunc(j.Expect, func(e job.Expect) bool { return drop(e.Needs) })
	for _, need := range slices.Sorted(maps.Keys(lacks)) {
		tl.mark(fmt.Sprintf("kernel lacks %s: its actions and expectations are left out", need))
	}
	return j
}

// haveIA32 says whether the kernel runs 32-bit syscalls: it has their
// entry points (CONFIG_IA32_EMULATION). Without /proc/kallsyms it assumes
// so, and the checks then tell.
func haveIA32() bool {
	if runtime.GOARCH != "amd64" {
		return false
	}
	b, err := os.ReadFile("/proc/kallsyms")
	if err != nil {
		return true
	}
	return bytes.Contains(b, []byte(" __ia32_sys_read\n")) || bytes.Contains(b, []byte(" __ia32_sys_read\t"))
}

// haveAArch32 says whether the kernel runs the 32-bit ARM marker.
func haveAArch32() bool {
	if runtime.GOARCH != "arm64" {
		return false
	}
	return exec.Command(job.Marker32Path).Run() == nil
}

func kernelIdentity() (release, banner string) {
	b, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	v, _ := os.ReadFile("/proc/version")
	return strings.TrimSpace(string(b)), strings.TrimSpace(string(v))
}

// detect starts the sensor, repeats the actions until every expectation is
// met or the timeout passes, and records what was seen.
func detect(res *job.Result, j job.Job, step func(string, time.Time, error) bool, tl *timeline) {
	t0 := time.Now()
	cmd := exec.Command(j.Sensor[0], j.Sensor[1:]...)
	stdout, err := cmd.StdoutPipe()
	stderr := tail{lines: tl, ready: j.Ready, readyC: make(chan struct{})}
	cmd.Stderr = &stderr
	tl.mark("sensor exec")
	if err == nil {
		err = cmd.Start()
	}
	if !step("sensor-start", t0, err) {
		return
	}
	seen := newMatcher(j.Expect, tl)
	go seen.scan(stdout)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	res.Expected = len(j.Expect)
	deadline := time.After(time.Duration(j.TimeoutMS) * time.Millisecond)
	// Until the sensor is ready, tick is nil and the actions wait.
	var tick <-chan time.Time
	ready, readyWait := stderr.readyC, time.After(time.Duration(j.ReadyWaitMS)*time.Millisecond)
	if j.Ready == "" {
		ready, readyWait = nil, nil
		tick = startTicker()
	}
loop:
	for !seen.done() {
		select {
		case <-ready:
			ready, readyWait = nil, nil
			tick = startTicker()
		case <-readyWait:
			tl.mark("sensor not ready: actions start anyway")
			ready, readyWait = nil, nil
			tick = startTicker()
		case <-tick:
			tl.mark("actions")
			doActions(j.Actions)
		case err := <-exited:
			step("sensor-exit", t0, fmt.Errorf("sensor exited early: %w", err))
			break loop
		case <-deadline:
			break loop
		}
	}
	_ = cmd.Process.Kill()
	res.Detected = seen.met()
	res.SensorTail = stderr.String()
	var derr error
	if len(res.Detected) != len(j.Expect) {
		derr = fmt.Errorf("detected %d/%d", len(res.Detected), len(j.Expect))
	}
	res.OK = step("detections", t0, derr)
}

type matcher struct {
	mu     sync.Mutex
	expect []job.Expect
	hit    []bool
	tl     *timeline
}

func newMatcher(e []job.Expect, tl *timeline) *matcher {
	return &matcher{expect: e, hit: make([]bool, len(e)), tl: tl}
}

func (m *matcher) scan(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		m.mu.Lock()
		for i, e := range m.expect {
			if !m.hit[i] && containsAll(line, e.All) {
				m.hit[i] = true
				m.tl.mark("detected: " + e.Name)
			}
		}
		m.mu.Unlock()
	}
}

func containsAll(line string, all []string) bool {
	for _, s := range all {
		if !strings.Contains(line, s) {
			return false
		}
	}
	return true
}

func (m *matcher) done() bool { return len(m.met()) == len(m.expect) }

func (m *matcher) met() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := []string{}
	for i, h := range m.hit {
		if h {
			out = append(out, m.expect[i].Name)
		}
	}
	return out
}

// actionInterval is how often the actions repeat until all are detected.
const actionInterval = 300 * time.Millisecond

// startTicker fires at once and then every actionInterval.
func startTicker() <-chan time.Time {
	c := make(chan time.Time, 1)
	c <- time.Now()
	go func() {
		for t := range time.Tick(actionInterval) {
			select {
			case c <- t:
			default:
			}
		}
	}()
	return c
}

// tail keeps the last 4 KiB written to it. With lines set, it marks the
// first line of each log message (slog's msg=) on that timeline, and closes
// readyC at the first line containing ready.
type tail struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	lines  *timeline
	part   []byte
	ready  string
	readyC chan struct{}
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.lines != nil {
		t.part = append(t.part, p...)
		for {
			i := bytes.IndexByte(t.part, '\n')
			if i < 0 {
				break
			}
			line := string(t.part[:i])
			if msg := logMessage(line); msg != "" {
				t.lines.mark("sensor: " + msg)
			}
			if t.ready != "" && strings.Contains(line, t.ready) {
				t.ready = ""
				close(t.readyC)
			}
			t.part = t.part[i+1:]
		}
	}
	t.buf.Write(p)
	if t.buf.Len() > 4096 {
		b := t.buf.Bytes()[t.buf.Len()-4096:]
		t.buf.Reset()
		t.buf.Write(b)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.String()
}

// logMessage returns the msg= value of an slog text line.
func logMessage(line string) string {
	_, m, ok := strings.Cut(line, " msg=")
	if !ok {
		return ""
	}
	if strings.HasPrefix(m, `"`) {
		if s, err := strconv.QuotedPrefix(m); err == nil {
			u, _ := strconv.Unquote(s)
			return u
		}
		return ""
	}
	m, _, _ = strings.Cut(m, " ")
	return m
}

// timeline records the first time (since boot) each named stage was
// reached, up to maxMarks of them.
type timeline struct {
	mu    sync.Mutex
	marks []job.Mark
}

const maxMarks = 32

func (t *timeline) mark(name string) {
	ms := uptimeMS()
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.marks) >= maxMarks {
		return
	}
	for _, m := range t.marks {
		if m.Name == name {
			return
		}
	}
	t.marks = append(t.marks, job.Mark{Name: name, MS: ms})
}

func (t *timeline) all() []job.Mark {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]job.Mark(nil), t.marks...)
}
