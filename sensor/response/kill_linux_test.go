//go:build linux

package response

import (
	"errors"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/probehub/probehub/internal/testutil"
)

// startSleep starts a real process and returns it with its start time as
// the process table records it.
func startSleep(t *testing.T) (*exec.Cmd, time.Time) {
	t.Helper()
	cmd := exec.Command("sleep", "60")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
	st, err := procStart(uint32(cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	return cmd, st
}

func exitedBySignal(t *testing.T, cmd *exec.Cmd) bool {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
		return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
	case <-time.After(testutil.Patience):
		return false
	}
}

func TestKillRealProcess(t *testing.T) {
	cmd, st := startSleep(t)
	if err := killProcess(uint32(cmd.Process.Pid), st, time.Now(), false); err != nil {
		t.Fatal(err)
	}
	if !exitedBySignal(t, cmd) {
		t.Fatal("process not killed")
	}
	if err := killProcess(uint32(cmd.Process.Pid), st, time.Now(), false); !errors.Is(err, ErrGone) && !errors.Is(err, ErrNotSameProcess) {
		t.Errorf("second kill: %v, want ErrGone", err)
	}
}

func TestKillProcessGroup(t *testing.T) {
	// sh is the group leader; its child sleep is in the same group.
	cmd := exec.Command("sh", "-c", "sleep 60 & wait")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	st, err := procStart(uint32(pid))
	if err != nil {
		t.Fatal(err)
	}
	if err := killProcess(uint32(pid), st, time.Now(), true); err != nil {
		t.Fatal(err)
	}
	if !exitedBySignal(t, cmd) {
		t.Fatal("leader not killed")
	}
	// No process is left in the group.
	deadline := time.Now().Add(testutil.Patience)
	for time.Now().Before(deadline) {
		if err := syscall.Kill(-pid, 0); errors.Is(err, syscall.ESRCH) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Error("process group still has members")
}

func TestKillRefusesWrongStart(t *testing.T) {
	cmd, st := startSleep(t)
	err := killProcess(uint32(cmd.Process.Pid), st.Add(-time.Second), time.Now(), false)
	if !errors.Is(err, ErrNotSameProcess) {
		t.Fatalf("err = %v, want ErrNotSameProcess", err)
	}
	if err := killProcess(uint32(cmd.Process.Pid), time.Time{}, time.Time{}, false); !errors.Is(err, ErrUnverifiable) {
		t.Fatalf("zero start: %v, want ErrUnverifiable", err)
	}
	if err := killProcess(uint32(os.Getpid()), time.Now(), time.Now(), false); err == nil {
		t.Fatal("killed itself")
	}
	if err := syscall.Kill(cmd.Process.Pid, 0); err != nil {
		t.Fatalf("process gone after refused kills: %v", err)
	}
}

// TestKillLateRecordedStart: the recorded start is the child's clone exit,
// which a loaded machine can run long after the task was created; /proc's
// earlier start is the same process and the kill goes ahead.
func TestKillLateRecordedStart(t *testing.T) {
	cmd, st := startSleep(t)
	if err := killProcess(uint32(cmd.Process.Pid), st.Add(300*time.Millisecond), time.Now(), false); err != nil {
		t.Fatalf("start recorded 300 ms late: %v, want the kill", err)
	}
	if !exitedBySignal(t, cmd) {
		t.Fatal("not killed")
	}
}

// TestKillSparesReusedPID: the alert's process exits, a decoy is started
// with the very same PID (ns_last_pid), and the stale alert's kill must
// leave the decoy running.
func TestKillSparesReusedPID(t *testing.T) {
	testutil.RequireRoot(t)
	victim, st := startSleep(t)
	pid := victim.Process.Pid
	seen := time.Now() // the alert's event, while the victim lives
	_ = victim.Process.Kill()
	_, _ = victim.Process.Wait()
	time.Sleep(200 * time.Millisecond) // the decoy must start measurably later
	decoy := spawnWithPID(t, pid)
	// The stale alert, with and without the process's start time: the
	// event time alone tells the decoy apart too.
	for _, start := range []time.Time{st, {}} {
		err := killProcess(uint32(pid), start, seen, false)
		if !errors.Is(err, ErrNotSameProcess) {
			t.Errorf("kill of a reused PID (start %v): %v, want ErrNotSameProcess", start, err)
		}
	}
	if err := syscall.Kill(decoy.Process.Pid, 0); err != nil {
		t.Fatalf("decoy with the reused PID %d was hit: %v", pid, err)
	}
}

// spawnWithPID starts `sleep 60` as PID pid by setting the kernel's last
// PID just below it; other forks on the machine can take it first, so it
// retries.
func spawnWithPID(t *testing.T, pid int) *exec.Cmd {
	t.Helper()
	for range 200 {
		if err := os.WriteFile("/proc/sys/kernel/ns_last_pid", []byte(strconv.Itoa(pid-1)), 0); err != nil {
			testutil.SkipOrFail(t, "set ns_last_pid: "+err.Error())
		}
		cmd := exec.Command("sleep", "60")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if cmd.Process.Pid == pid {
			t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
			return cmd
		}
		_ = cmd.Process.Kill()
		_, _ = cmd.Process.Wait()
	}
	t.Fatalf("could not get PID %d back after 200 tries (a busy machine)", pid)
	return nil
}
