package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/probehub/probehub/internal/testutil"
)

// FuzzReplay: any events file gives alerts or an error naming the line,
// never a panic; every alert is one JSON line. The engine holds the
// upstream stable and k8s audit rules; seeds are real recorded events: the
// start of the capture in testdata/replay (capture --json on a busy
// machine), the lineage capture, a recording that starts with snapshot
// records, and a k8s audit event.
func FuzzReplay(f *testing.F) {
	e := replayEngine(f)
	if _, err := e.LoadFiles(testutil.SharedData(f, "k8s_audit_rules.yaml")); err != nil {
		f.Fatal(err)
	}
	capture := readCapture(f)
	lines := bytes.SplitAfter(capture, []byte("\n"))
	f.Add(bytes.Join(lines[:min(len(lines), 8)], nil))
	if b, err := os.ReadFile("testdata/replay/lineage.jsonl"); err == nil {
		lin := bytes.SplitAfter(b, []byte("\n"))
		f.Add(bytes.Join(lin[:min(len(lin), 8)], nil))
	}
	if b, err := os.ReadFile("testdata/replay/snapshot.jsonl"); err == nil {
		f.Add(b) // snapshot records, then events
	}
	if b, err := os.ReadFile("../../sensor/rules/k8saudit/testdata/events/pod_create_hostpath.json"); err == nil {
		var c bytes.Buffer
		if compactJSON(&c, b) == nil {
			f.Add(append(c.Bytes(), '\n'))
		}
	}
	f.Add([]byte("\n \n"))
	f.Add([]byte(`{"Records":[{"eventSource":"s3.amazonaws.com","eventName":"PutBucketPolicy"}]}` + "\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var out bytes.Buffer
		if err := replay(context.Background(), e, bytes.NewReader(b), &out); err != nil {
			return
		}
		for l := range bytes.Lines(out.Bytes()) {
			if !jsonValid(l) {
				t.Fatalf("alert line is not JSON: %q", l)
			}
		}
	})
}

func compactJSON(dst *bytes.Buffer, src []byte) error { return json.Compact(dst, src) }

func jsonValid(b []byte) bool { return json.Valid(b) }
