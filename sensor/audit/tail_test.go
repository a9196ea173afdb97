package audit

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/rules/k8saudit"
)

func line(id string) string {
	return `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"` + id +
		`","stage":"ResponseComplete","requestURI":"/api/v1/namespaces","verb":"list","user":{"username":"alice"}}` + "\n"
}

func appendTo(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// waitFor polls until c has received want.
func waitFor(t *testing.T, c *collector, want []string) {
	t.Helper()
	deadline := time.Now().Add(testutil.Patience)
	for time.Now().Before(deadline) {
		if slices.Equal(c.got(), want) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("got %q, want %q", c.got(), want)
}

func TestTail(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.log")
	appendTo(t, path, line("old"))
	c := &collector{}
	tail := &Tail{Path: path, Decoder: &k8saudit.Source{}, Poll: 5 * time.Millisecond, MaxLineBytes: 4096}
	if err := tail.Start(); err != nil { // at the end: "old" is not read
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tail.Run(ctx, c.sink) }()

	appendTo(t, path, line("a1")+"not json\n")
	half := line("a2")
	appendTo(t, path, half[:20])
	time.Sleep(20 * time.Millisecond)
	appendTo(t, path, half[20:])
	waitFor(t, c, []string{"a1", "a2"})

	// Rotation as logrotate or the API server does it: rename, then create.
	appendTo(t, path, line("a3"))
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	appendTo(t, path+".1", line("a4")) // written to the old file after the rename
	appendTo(t, path, line("b1"))
	waitFor(t, c, []string{"a1", "a2", "a3", "a4", "b1"})

	// Truncation (copytruncate). A truncation is seen as the file growing
	// no longer than the offset read: the tail must notice it before the
	// file grows past that again (as with tail -F), so the test waits.
	reopened := tail.Stats().Reopened.Load()
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the truncation noticed", func() bool { return tail.Stats().Reopened.Load() > reopened })
	appendTo(t, path, line("c1"))
	appendTo(t, path, `{"kind":"Event","auditID":"`+string(make([]byte, 5000))+"\n"+line("c2"))
	waitFor(t, c, []string{"a1", "a2", "a3", "a4", "b1", "c1", "c2"})

	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	s := tail.Stats()
	if s.Malformed.Load() != 1 || s.TooLong.Load() != 1 || s.Reopened.Load() < 2 || s.Events.Load() != 7 {
		t.Errorf("stats: malformed %d toolong %d reopened %d events %d", s.Malformed.Load(), s.TooLong.Load(), s.Reopened.Load(), s.Events.Load())
	}
}

func TestTailWaitsForFileAndReadsFromStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "later.log")
	c := &collector{}
	tail := &Tail{Path: path, Decoder: &k8saudit.Source{}, Poll: 5 * time.Millisecond}
	if err := tail.Start(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- tail.Run(ctx, c.sink) }()
	appendTo(t, path, line("x1")+line("x2"))
	waitFor(t, c, []string{"x1", "x2"})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestTailStartFixesTheEnd writes between Start and Run, as the sensor's
// audit log may grow between its "following" log line and the tail's
// goroutine running: what was written after Start is read, whether the file
// existed at Start (from its end then) or not (whole).
func TestTailStartFixesTheEnd(t *testing.T) {
	for _, exists := range []bool{true, false} {
		t.Run(fmt.Sprintf("exists=%v", exists), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit.log")
			if exists {
				appendTo(t, path, line("old"))
			}
			c := &collector{}
			tail := &Tail{Path: path, Decoder: &k8saudit.Source{}, Poll: 5 * time.Millisecond}
			if err := tail.Start(); err != nil {
				t.Fatal(err)
			}
			appendTo(t, path, line("n1")) // before Run: read all the same
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- tail.Run(ctx, c.sink) }()
			appendTo(t, path, line("n2"))
			waitFor(t, c, []string{"n1", "n2"})
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestTailDirectory(t *testing.T) {
	tail := &Tail{Path: t.TempDir(), Decoder: &k8saudit.Source{}}
	if err := tail.Start(); err == nil {
		t.Error("Start: no error for a directory")
	}
	tail = &Tail{Path: t.TempDir(), Decoder: &k8saudit.Source{}}
	if err := tail.Run(context.Background(), func(context.Context, any) {}); err == nil {
		t.Error("no error for a directory")
	}
}
