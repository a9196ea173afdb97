package nvidia

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/probehub/probehub/internal/testutil"
)

func TestSnapshotStates(t *testing.T) {
	tests := []struct {
		desc string
		f    Facts
		err  error
		want State
	}{
		{"driver", Facts{DriverVersion: "570.124.06", Devices: []Device{{Minor: 3}}}, nil, StateOK},
		{"no driver", Facts{}, noDriverErr(), StateNoDriver},
		{"failure", Facts{}, errors.New("boom"), StateError},
		{"bad version", Facts{DriverVersion: "x"}, nil, StateError},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			s := NewSnapshot(tc.f, tc.err, time.Time{})
			if s.State != tc.want {
				t.Fatalf("state %s, want %s (err %v)", s.State, tc.want, s.Err)
			}
			if s.State == StateOK && (s.Branch != "R570" || !s.HasMinor(3) || s.HasMinor(0)) {
				t.Errorf("indexes wrong: %+v", s)
			}
		})
	}
}

func TestRefresher(t *testing.T) {
	var calls atomic.Int32
	src := SourceFunc(func(context.Context) (Facts, error) {
		calls.Add(1)
		return Facts{DriverVersion: "550.54.15", Processes: []Process{{PID: 7}}}, nil
	})
	r := NewRefresher(src, time.Hour)
	if s := r.Snapshot(); s.State != StateUnknown || s.Loaded() {
		t.Fatalf("initial snapshot %s, want unknown", s.State)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- r.Run(ctx) }()
	waitFor(t, func() bool { return calls.Load() >= 1 })
	r.Request()
	waitFor(t, func() bool { return calls.Load() >= 2 })
	if s := r.Snapshot(); !s.Loaded() || !s.HasProcess(7) {
		t.Errorf("snapshot %+v, want loaded with pid 7", s)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v, want context.Canceled", err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(testutil.Patience); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("condition not reached in %v", testutil.Patience)
}

func noDriverErr() error {
	_, err := NoDriver{Reason: "test"}.Facts(context.Background())
	return err
}
