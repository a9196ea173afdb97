package matrix

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"time"

	"github.com/probehub/probehub/ci/job"
)

// kvmBroken is set once a KVM boot failed at start, so later boots go
// straight to TCG (nested virtualisation often exposes /dev/kvm that fails).
var kvmBroken atomic.Bool

// errNoResult means the guest never printed its result line: it hung,
// panicked, or was killed at the timeout.
var errNoResult = errors.New("guest printed no result")

// boot runs one VM to completion and returns the guest's result. The serial
// console goes to logPath; stdin is /dev/null (-serial stdio would hang a
// background run).
func boot(ctx context.Context, kernel, initrd, logPath string, timeout time.Duration) (job.Result, time.Duration, error) {
	accel := "tcg"
	if !kvmBroken.Load() && kvmUsable() && os.Getenv("PROBEHUB_QEMU_ACCEL") != "tcg" {
		accel = "kvm"
	}
	start := time.Now()
	err := runQEMU(ctx, accel, kernel, initrd, logPath, timeout)
	if accel == "kvm" && err != nil && time.Since(start) < 5*time.Second {
		kvmBroken.Store(true)
		start = time.Now()
		err = runQEMU(ctx, "tcg", kernel, initrd, logPath, timeout)
	}
	took := time.Since(start)
	res, perr := parseResult(logPath)
	if perr != nil {
		if err != nil {
			return res, took, fmt.Errorf("%w (qemu: %v)", perr, err)
		}
		return res, took, perr
	}
	return res, took, nil
}

func kvmUsable() bool {
	f, err := os.OpenFile("/dev/kvm", os.O_RDWR, 0)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

func runQEMU(ctx context.Context, accel, kernel, initrd, logPath string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	args := []string{
		"-machine", "q35,accel=" + accel, "-m", "768", "-smp", "1",
		"-nographic", "-no-reboot", "-monitor", "none", "-display", "none",
		"-kernel", kernel, "-initrd", initrd,
		"-append", "console=ttyS0 panic=-1 oops=panic rdinit=/init quiet loglevel=4",
		"-serial", "file:" + logPath, "-nic", "none",
	}
	if accel == "kvm" {
		args = append(args, "-cpu", "host")
	}
	cmd := exec.CommandContext(ctx, "qemu-system-x86_64", args...)
	cmd.Stdin = nil // /dev/null
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		return fmt.Errorf("boot timed out after %s", timeout)
	}
	if err != nil {
		return fmt.Errorf("qemu (%s): %w: %s", accel, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

func parseResult(logPath string) (job.Result, error) {
	var res job.Result
	f, err := os.Open(logPath)
	if err != nil {
		return res, fmt.Errorf("read serial log: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, job.ResultPrefix); i >= 0 {
			if err := json.Unmarshal([]byte(line[i+len(job.ResultPrefix):]), &res); err != nil {
				return res, fmt.Errorf("decode guest result: %w", err)
			}
			return res, nil
		}
	}
	return res, errNoResult
}
