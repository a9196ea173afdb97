package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/proctable"
)

// snapshotSource says where a capture reads the state its recording
// starts from.
type snapshotSource struct {
	// hostRoot is where the host's / is (its proc, etc/passwd, etc/group).
	hostRoot string
	// envMax bounds each process's environment, in bytes, as the capture
	// bounds an exec's (0: none).
	envMax int
}

// writeSnapshot writes the snapshot records a `capture --json` recording
// starts with (event.Snapshot): the host, its user and group names, and
// every process /proc lists, read as `run` seeds its process table. A
// passwd or group file that cannot be read leaves the users record out and
// is reported on warn. It returns the number of processes written.
func writeSnapshot(ctx context.Context, w io.Writer, src snapshotSource, warn io.Writer) (int, error) {
	at := time.Now().UTC()
	t := proctable.New(proctable.Options{EnvMax: src.envMax})
	if _, err := t.Seed(ctx, filepath.Join(src.hostRoot, "proc")); err != nil {
		return 0, fmt.Errorf("snapshot: %w", err)
	}
	procs := t.Entries()
	hostname, _ := os.Hostname()
	enc := json.NewEncoder(w)
	rec := func(s event.Snapshot) error {
		s.Version, s.Time = event.SnapshotVersion, at
		if err := enc.Encode(s); err != nil {
			return fmt.Errorf("write snapshot: %w", err)
		}
		return nil
	}
	if err := rec(event.Snapshot{Host: &event.SnapshotHost{Hostname: hostname, Procs: len(procs), EnvMax: src.envMax}}); err != nil {
		return 0, err
	}
	users, err := proctable.LoadUsers(filepath.Join(src.hostRoot, "etc/passwd"), filepath.Join(src.hostRoot, "etc/group"))
	if err != nil {
		fmt.Fprintf(warn, "capture: warning: the recording has no user names: %v\n", err)
	} else {
		u := users.Snapshot()
		if err := rec(event.Snapshot{Users: &u}); err != nil {
			return 0, err
		}
	}
	for i := range procs {
		p := procs[i].Process()
		if err := rec(event.Snapshot{Proc: &p}); err != nil {
			return 0, err
		}
	}
	return len(procs), nil
}
