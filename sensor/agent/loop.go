package agent

import (
	"context"
	"errors"
	"os"
	"strconv"
	"time"

	"github.com/probehub/probehub/sensor/event"
)

// EventReader is the capture side: probe.Probe satisfies it.
type EventReader interface {
	Read(ctx context.Context) (event.Event, error)
}

// IntoReader is an EventReader that can read into a caller's event,
// reusing its storage (probe.Probe.ReadInto): RunCapture then reads every
// event into one Event.
type IntoReader interface {
	ReadInto(ctx context.Context, ev *event.Event) error
}

// RunCapture feeds events from r to HandleSyscall until ctx ends or r is
// closed (a clean end) or fails.
func (a *Agent) RunCapture(ctx context.Context, r EventReader) error {
	if ri, ok := r.(IntoReader); ok {
		return a.runInto(ctx, ri)
	}
	for {
		ev, err := r.Read(ctx)
		if err != nil {
			return readEnd(ctx, err)
		}
		a.HandleSyscall(&ev)
	}
}

// runInto is RunCapture with one Event for all: nothing HandleSyscall
// calls keeps the event (alerts copy what they need).
func (a *Agent) runInto(ctx context.Context, r IntoReader) error {
	ev := new(event.Event)
	for {
		if err := r.ReadInto(ctx, ev); err != nil {
			return readEnd(ctx, err)
		}
		a.HandleSyscall(ev)
	}
}

// readEnd is RunCapture's result for a read error: nil for a clean stop.
func readEnd(ctx context.Context, err error) error {
	if ctx.Err() != nil || errors.Is(err, os.ErrClosed) || errors.Is(err, context.Canceled) {
		return nil //nolint:nilerr // a closed reader at shutdown is a clean stop
	}
	return err
}

// WatchRules reloads the rules on a signal from hup or when a rules file
// changes (checked every poll) from what the running rules were loaded
// from. A failed reload keeps the running rules and is logged with its
// reasons.
func (a *Agent) WatchRules(ctx context.Context, hup <-chan os.Signal, poll time.Duration) {
	last := *a.stamp.Load()
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		why := ""
		select {
		case <-ctx.Done():
			return
		case <-hup:
			why = "SIGHUP"
		case <-t.C:
			if s := a.rulesStamp(); s != last {
				last, why = s, "rules changed"
			}
		}
		if why == "" {
			continue
		}
		if err := a.Reload(); err != nil {
			a.log.Error("rules reload failed; keeping the running rules", "trigger", why, "err", err)
			continue
		}
		last = *a.stamp.Load()
		a.log.Info("rules reloaded", "trigger", why, "capture_types", len(a.SyscallTypes()))
	}
}

// rulesStamp summarises the rules files' names, sizes and mtimes.
func (a *Agent) rulesStamp() string {
	files, err := ExpandPaths(a.cfg.Rules.Paths)
	if err != nil {
		return "error: " + err.Error()
	}
	s := ""
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			s += f + "|" + st.ModTime().String() + "|" + strconv.FormatInt(st.Size(), 10) + ";"
		}
	}
	return s
}
