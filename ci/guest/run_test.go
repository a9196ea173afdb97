package main

import (
	"strings"
	"testing"

	"github.com/probehub/probehub/wire/job"
)

func TestLogMessage(t *testing.T) {
	for line, want := range map[string]string{
		`time=2026-11-25T03:50:36.858Z level=INFO msg="sensor running" variant=fast`: "sensor running",
		`time=2026-11-25T03:50:36.858Z level=INFO msg=started n=1`:                   "started",
		`time=x level=WARN msg="say \"hi\"" err=x`:                                   `say "hi"`,
		`probehub-sensor: the kernel's verifier rejected the probe`:                  "",
	} {
		if got := logMessage(line); got != want {
			t.Errorf("logMessage(%q) = %q, want %q", line, got, want)
		}
	}
}

// TestTailReady: the sensor's lines arrive in pieces; each message is
// marked once and ready closes at the line that carries it.
func TestTailReady(t *testing.T) {
	tl := &timeline{}
	tr := tail{lines: tl, ready: `msg="sensor running"`, readyC: make(chan struct{})}
	write := func(parts ...string) {
		for _, p := range parts {
			if _, err := tr.Write([]byte(p)); err != nil {
				t.Fatal(err)
			}
		}
	}
	isReady := func() bool {
		select {
		case <-tr.readyC:
			return true
		default:
			return false
		}
	}
	write("time=a level=INFO msg=\"kernel ty", "pes\" source=x\ntime=b level=INFO msg=\"kernel types\"\n", "time=c level=INFO msg=\"sensor ")
	if isReady() {
		t.Fatal("ready before the sensor said so")
	}
	write("running\" variant=fast\n")
	if !isReady() {
		t.Fatal("not ready after the sensor running line")
	}
	write("time=d level=INFO msg=\"sensor running\"\n") // a second one is no second close
	var names []string
	for _, m := range tl.all() {
		names = append(names, m.Name)
	}
	if got := strings.Join(names, ","); got != "sensor: kernel types,sensor: sensor running" {
		t.Errorf("timeline = %s", got)
	}
	if !strings.Contains(tr.String(), "variant=fast") {
		t.Errorf("tail lost the output: %q", tr.String())
	}
}

// TestDropUnsupported: actions and expectations that need what the kernel
// lacks are left out, and the timeline says so; the rest stay.
func TestDropUnsupported(t *testing.T) {
	tl := &timeline{}
	j := job.Job{
		Actions: []job.Action{{Name: "a"}, {Name: "b", Needs: "nosuch"}},
		Expect:  []job.Expect{{Name: "a"}, {Name: "b", Needs: "nosuch"}},
	}
	j = dropUnsupported(j, tl)
	if len(j.Actions) != 1 || j.Actions[0].Name != "a" || len(j.Expect) != 1 || j.Expect[0].Name != "a" {
		t.Errorf("kept %+v and %+v; want only a", j.Actions, j.Expect)
	}
	if marks := tl.all(); len(marks) != 1 || !strings.Contains(marks[0].Name, "nosuch") {
		t.Errorf("timeline %+v; want one mark naming nosuch", marks)
	}
}
