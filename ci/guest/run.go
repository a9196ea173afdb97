package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/probehub/probehub/ci/job"
)

func run(console io.Writer) job.Result {
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
	fmt.Fprintf(console, "guest: %s, kernel BTF %v, starting sensor\n", res.Release, res.BTF)
	detect(&res, j, step)
	return res
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

func kernelIdentity() (release, banner string) {
	b, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	v, _ := os.ReadFile("/proc/version")
	return strings.TrimSpace(string(b)), strings.TrimSpace(string(v))
}

// detect starts the sensor, repeats the actions until every expectation is
// met or the timeout passes, and records what was seen.
func detect(res *job.Result, j job.Job, step func(string, time.Time, error) bool) {
	t0 := time.Now()
	cmd := exec.Command(j.Sensor[0], j.Sensor[1:]...)
	stdout, err := cmd.StdoutPipe()
	var stderr tail
	cmd.Stderr = &stderr
	if err == nil {
		err = cmd.Start()
	}
	if !step("sensor-start", t0, err) {
		return
	}
	seen := newMatcher(j.Expect)
	go seen.scan(stdout)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	res.Expected = len(j.Expect)
	deadline := time.After(time.Duration(j.TimeoutMS) * time.Millisecond)
	tick := time.NewTicker(300 * time.Millisecond)
	defer tick.Stop()
loop:
	for !seen.done() {
		select {
		case <-tick.C:
			doActions(j.Actions)
		case err := <-exited:
			step("sensor-exit", t0, fmt.Errorf("sensor exited early: %v", err))
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
}

func newMatcher(e []job.Expect) *matcher { return &matcher{expect: e, hit: make([]bool, len(e))} }

func (m *matcher) scan(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		m.mu.Lock()
		for i, e := range m.expect {
			if !m.hit[i] && containsAll(line, e.All) {
				m.hit[i] = true
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

// tail keeps the last 4 KiB written to it.
type tail struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
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
