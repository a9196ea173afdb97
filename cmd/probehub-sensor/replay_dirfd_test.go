package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReplayClosedDirfd: replay names a directory fd from the recorded
// open, so fd.name and evt.abspath of a path relative to it are absolute
// even though the recording machine's /proc is not there, and a close
// later in the recording does not undo what came before it.
func TestReplayClosedDirfd(t *testing.T) {
	const rule = `
- rule: dirfd seen
  desc: d
  condition: evt.type in (openat, unlinkat)
  output: "dirfd (type=%evt.type res=%evt.rawres name=%fd.name abs=%evt.abspath)"
  priority: INFO
`
	rulesFile := filepath.Join(t.TempDir(), "r.yaml")
	if err := os.WriteFile(rulesFile, []byte(rule), 0o644); err != nil {
		t.Fatal(err)
	}
	const proc = `"proc":{"pid":10,"tid":10,"ppid":1,"uid":0,"gid":0,"comm":"rm"}`
	data := `{"snapshot":1,"time":"2026-12-03T16:00:00Z","proc":{"pid":10,"tid":10,"ppid":1,"comm":"rm","exe":"rm","exepath":"/usr/bin/rm","cwd":"/home/alice"}}
{"time":"2026-12-03T16:00:01Z","type":"openat","res":3,` + proc + `,"args":{"fd":3,"dirfd":-100,"name":"/etc","flags":65536,"mode":0},"fd":{"num":3,"type":100,"name":"/etc"}}
{"time":"2026-12-03T16:00:02Z","type":"openat","res":4,` + proc + `,"args":{"fd":4,"dirfd":3,"name":"shadow","flags":0,"mode":0},"fd":{"num":4,"type":102,"name":"shadow"}}
{"time":"2026-12-03T16:00:03Z","type":"unlinkat","res":0,` + proc + `,"args":{"dirfd":3,"name":"gone","flags":0}}
{"time":"2026-12-03T16:00:04Z","type":"close","res":0,` + proc + `,"args":{"fd":3}}
{"time":"2026-12-03T16:00:05Z","type":"openat","res":-9,` + proc + `,"args":{"fd":-9,"dirfd":3,"name":"passwd","flags":0,"mode":0},"fd":{"num":-1,"type":102,"name":"passwd"}}
`
	got := string(replayRecording(t, rulesFile, []byte(data)))
	for _, want := range []string{
		"dirfd (type=openat res=4 name=/etc/shadow abs=/etc/shadow)",
		"dirfd (type=unlinkat res=0 name=<NA> abs=/etc/gone)",
		"dirfd (type=openat res=-9 name=passwd abs=passwd)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in:\n%s", want, got)
		}
	}
}
