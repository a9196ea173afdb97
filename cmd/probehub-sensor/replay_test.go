package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/rules"
	"golang.org/x/sys/unix"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// readCapture returns the recorded capture in testdata/replay: 8,900
// events of `probehub-sensor capture --json` on a busy machine while a
// script read /etc/shadow, ran a binary from /dev/shm and symlinked
// /etc/shadow.
func readCapture(tb testing.TB) []byte {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", "replay", "capture.jsonl.gz"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

func replayEngine(tb testing.TB) *rules.Engine {
	tb.Helper()
	e, err := newEngine(rules.WithHostname("replay-test"), rules.WithTimeLocation(time.UTC))
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := e.LoadFiles(testutil.SharedData(tb, "falco_rules.yaml")); err != nil {
		tb.Fatal(err)
	}
	return e
}

// TestReplayGolden replays the recorded capture with the upstream stable
// rules: the alerts are those in alerts.golden.jsonl (go test -update
// rewrites it).
func TestReplayGolden(t *testing.T) {
	var out bytes.Buffer
	if err := replay(context.Background(), replayEngine(t), bytes.NewReader(readCapture(t)), &out); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "replay", "alerts.golden.jsonl")
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != string(want) {
		t.Errorf("replay alerts differ from %s:\ngot:\n%s\nwant:\n%s", golden, got, want)
	}
	if n := strings.Count(out.String(), "\n"); n < 3 {
		t.Errorf("%d alerts, want at least the three the script raised", n)
	}
}

// TestReplayFile: a regular events file (read through a mapping) gives the
// alerts a stream of the same bytes gives, with CRLF line ends and without
// a newline at the end too.
func TestReplayFile(t *testing.T) {
	e := replayEngine(t)
	data := readCapture(t)
	var want bytes.Buffer
	if err := replay(context.Background(), e, bytes.NewReader(data), &want); err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{
		"lf":         data,
		"crlf":       bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n")),
		"no newline": bytes.TrimRight(data, "\n"),
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "events.jsonl")
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var got bytes.Buffer
			if err := replay(context.Background(), replayEngine(t), f, &got); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("alerts from the file differ from the stream's:\n%s\nwant:\n%s", got.String(), want.String())
			}
		})
	}
}

// BenchmarkReplay is replay end to end in-process (line reader, decoder,
// process table, rule engine with the stable rules, alert output) over the
// recorded capture. cpu-ns/event is the replaying thread's CPU time (the
// goroutine locked to it), which a loaded machine inflates less than wall
// time; events/s per core is 1e9 / cpu-ns/event.
func BenchmarkReplay(b *testing.B) {
	data := readCapture(b)
	e := replayEngine(b)
	lines := bytes.Count(data, []byte{'\n'})
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := threadCPU(b)
	for b.Loop() {
		if err := replay(context.Background(), e, bytes.NewReader(data), io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	cpu := float64((threadCPU(b) - cpu0).Nanoseconds()) / float64(lines*b.N)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(lines*b.N), "ns/event")
	b.ReportMetric(cpu, "cpu-ns/event")
	b.ReportMetric(1e9/cpu, "events/s/core")
}

func threadCPU(tb testing.TB) time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ts.Nano())
}

// BenchmarkReplayDecode is the decoding share of BenchmarkReplay: every
// line of the recorded capture through event.Decoder into one reused
// event, nothing else.
func BenchmarkReplayDecode(b *testing.B) {
	data := readCapture(b)
	lines := bytes.Split(bytes.TrimSpace(data), []byte{'\n'})
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var (
		dec event.Decoder
		ev  event.Event
	)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ResetTimer()
	cpu0 := threadCPU(b)
	for b.Loop() {
		for _, l := range lines {
			if err := dec.Decode(l, &ev); err != nil {
				b.Fatal(err)
			}
		}
	}
	cpu := float64((threadCPU(b) - cpu0).Nanoseconds()) / float64(len(lines)*b.N)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(len(lines)*b.N), "ns/event")
	b.ReportMetric(cpu, "cpu-ns/event")
}

// TestReplayDecodeMatchesJSON: every line of the recorded capture, decoded
// in order by one event.Decoder (its caches warm from the lines before),
// is the event encoding/json decodes.
func TestReplayDecodeMatchesJSON(t *testing.T) {
	var (
		dec event.Decoder
		got event.Event
	)
	for n, l := range bytes.Split(bytes.TrimSpace(readCapture(t)), []byte{'\n'}) {
		if err := dec.Decode(l, &got); err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		var want event.Event
		if err := json.Unmarshal(l, &want); err != nil {
			t.Fatalf("line %d: encoding/json: %v", n+1, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("line %d: decoded %+v\nencoding/json %+v", n+1, got, want)
		}
	}
}
