package containerdtest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/event"
)

// NewTrigger makes a FIFO named trigger in dir: a container started with
// dir shared reads it to know when to act (`read line < trigger`), so the
// test decides when the action happens.
func NewTrigger(tb testing.TB, dir string) string {
	tb.Helper()
	fifo := filepath.Join(dir, "trigger")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		tb.Fatal(err)
	}
	return fifo
}

// Trigger writes one line to the FIFO a container reads. It waits, up to
// testutil.Patience, until the container has the FIFO open: a
// non-blocking open for writing fails with ENXIO until then.
func Trigger(tb testing.TB, fifo string) {
	tb.Helper()
	var f *os.File
	var err error
	for deadline := time.Now().Add(testutil.Patience); ; time.Sleep(10 * time.Millisecond) {
		if f, err = os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			break
		}
		if !errors.Is(err, syscall.ENXIO) || time.Now().After(deadline) {
			tb.Fatalf("the container does not read its trigger %s: %v", fifo, err)
		}
	}
	if _, err := fmt.Fprintln(f, "go"); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

// Lookuper is the container cache a test waits on (sensor/container's CRI
// cache).
type Lookuper interface {
	Lookup(id string, c *event.Container) bool
}

// AwaitMetadata waits, up to testutil.Patience, until the cache has the
// running container's metadata. The cache asks the runtime in the
// background when it first sees the container (as Falco's does), so the
// container's first events come before it.
func AwaitMetadata(tb testing.TB, k Lookuper, run Running) {
	tb.Helper()
	id := run.ContainerID[:12]
	for deadline := time.Now().Add(testutil.Patience); ; time.Sleep(20 * time.Millisecond) {
		c := event.Container{ID: id, FullID: run.ContainerID}
		if k.Lookup(run.ContainerID, &c) {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatal("the CRI cache never got the container's metadata")
		}
	}
}
