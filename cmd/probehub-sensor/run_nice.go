package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// setNice gives every thread of the sensor the nice value n (Linux keeps a
// nice value per thread; threads created later inherit their creator's).
// A negative n, which raises the capture path's share of a busy CPU over
// other work, needs CAP_SYS_NICE.
func setNice(n int) error {
	if n < -20 || n > 19 {
		return fmt.Errorf("--nice %d: want -20 to 19", n)
	}
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return fmt.Errorf("--nice: list threads: %w", err)
	}
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		if err := unix.Setpriority(unix.PRIO_PROCESS, tid, n); err != nil && !errors.Is(err, unix.ESRCH) {
			return fmt.Errorf("--nice %d: thread %d: %w (a negative value needs CAP_SYS_NICE)", n, tid, err)
		}
	}
	return nil
}
