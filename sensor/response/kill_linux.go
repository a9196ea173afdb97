//go:build linux

package response

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// startTolerance is how far /proc's start time (clock ticks, 10 ms) may be
// after the recorded one and still be the same process: the tick rounding
// and the two clocks' conversions to wall time.
const startTolerance = 50 * time.Millisecond

// ErrNotSameProcess means the PID now belongs to another process than the
// alert's: it exited and the PID was reused. Nothing is signalled.
var ErrNotSameProcess = errors.New("the PID now belongs to another process (the alert's process exited)")

// ErrGone means the process exited before it could be signalled.
var ErrGone = errors.New("the process already exited")

// ErrUnverifiable means the alert says neither when its process started
// nor when its event happened, so a reused PID could not be told apart:
// nothing is signalled.
var ErrUnverifiable = errors.New("the alert has no process start or event time: its process cannot be identified")

// killProcess sends SIGKILL to the alert's process: pid, started at start
// (zero when unknown), alive at the event time seen. It pins the process
// with a pidfd first and checks through that pin that it is the alert's
// process: it started no later than the event (a process that reuses the
// PID starts after the alert's process died, so after the event) and, when
// start is known, at start. A reused PID is never signalled. With group,
// the process's whole process group is killed after the check.
func killProcess(pid uint32, start, seen time.Time, group bool) error {
	if pid == 0 || int(pid) == os.Getpid() || pid == 1 {
		return fmt.Errorf("refusing to kill pid %d", pid)
	}
	if start.IsZero() && seen.IsZero() {
		return ErrUnverifiable
	}
	fd, err := unix.PidfdOpen(int(pid), 0)
	if errors.Is(err, unix.ESRCH) {
		return ErrGone
	}
	if err != nil {
		return fmt.Errorf("pidfd_open %d: %w", pid, err)
	}
	defer func() { _ = unix.Close(fd) }() // a pidfd: closing releases nothing but the number
	// The pidfd now refers to one process for good; /proc/PID still shows
	// that process unless it has exited (then the signal below fails with
	// ESRCH whatever /proc shows).
	got, err := procStart(pid)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return ErrGone
		}
		return err
	}
	if !seen.IsZero() && got.Sub(seen) > startTolerance {
		return fmt.Errorf("%w: pid %d started at %s, after the alert's event at %s", ErrNotSameProcess, pid,
			got.Format(time.RFC3339Nano), seen.Format(time.RFC3339Nano))
	}
	// The recorded start is the child's clone exit, which on a loaded
	// machine can run long after the kernel created the task: /proc may
	// say earlier, by any amount. Only a later start means another
	// process: one that reuses the PID starts after the alert's process
	// died, and the alert's held the PID from its start on.
	if d := got.Sub(start); !start.IsZero() && d > startTolerance {
		return fmt.Errorf("%w: pid %d started at %s, the alert's at %s", ErrNotSameProcess, pid,
			got.Format(time.RFC3339Nano), start.Format(time.RFC3339Nano))
	}
	if group {
		pgid, err := unix.Getpgid(int(pid))
		if err != nil {
			return fmt.Errorf("process group of %d: %w", pid, err)
		}
		own, _ := unix.Getpgid(0)
		if pgid <= 1 || pgid == own {
			return fmt.Errorf("refusing to kill process group %d (init's or the sensor's own)", pgid)
		}
		if err := unix.Kill(-pgid, unix.SIGKILL); err != nil && !errors.Is(err, unix.ESRCH) {
			return fmt.Errorf("kill process group %d: %w", pgid, err)
		}
	}
	if err := unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0); err != nil {
		if errors.Is(err, unix.ESRCH) {
			if group {
				return nil // the group kill took it
			}
			return ErrGone
		}
		return fmt.Errorf("pidfd_send_signal %d: %w", pid, err)
	}
	return nil
}

// procStart is when process pid started, in wall-clock time on the clock
// the sensor converts event times with (boot time + ticks since boot).
func procStart(pid uint32) (time.Time, error) {
	b, err := os.ReadFile("/proc/" + strconv.FormatUint(uint64(pid), 10) + "/stat")
	if err != nil {
		return time.Time{}, err
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return time.Time{}, fmt.Errorf("/proc/%d/stat: no comm", pid)
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 20 { // starttime is field 22; f[0] is field 3
		return time.Time{}, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	ticks, err := strconv.ParseUint(string(f[19]), 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("/proc/%d/stat starttime: %w", pid, err)
	}
	return bootTime().Add(time.Duration(ticks) * time.Second / 100), nil // USER_HZ
}

// bootTime is the wall-clock time of boot: now less CLOCK_BOOTTIME.
func bootTime() time.Time {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts); err != nil {
		return time.Time{}
	}
	return time.Now().Add(-time.Duration(ts.Nano()))
}
