package main

import (
	"fmt"

	"github.com/probehub/probehub/internal/caps"
)

// checkRunCaps checks the capabilities run needs beyond the probes' own
// (which probe.Load checks): the process table reads /proc/PID/exe and
// /proc/PID/cwd of every process, which the kernel allows for other users'
// processes only with CAP_SYS_PTRACE. Without it, alerts from processes that
// started before the sensor would carry no executable path.
func checkRunCaps() error {
	eff, err := caps.Effective()
	if err != nil {
		return err
	}
	if err := eff.Check(caps.Need{Cap: caps.SysPtrace,
		For: "the process table (reading /proc/PID/exe and cwd of other users' processes)"}); err != nil {
		return fmt.Errorf("run: %w", err)
	}
	return nil
}
