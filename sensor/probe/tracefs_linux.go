package probe

import (
	"fmt"

	"golang.org/x/sys/unix"
)

const tracefsPath, debugfsPath = "/sys/kernel/tracing", "/sys/kernel/debug"

// ensureTracefs mounts tracefs (or debugfs, which exposes it under
// tracing/) unless one is mounted already. Tracepoint attach needs it to
// look up event ids. Errors wrap ErrTracefs.
func ensureTracefs() error {
	if fsType(tracefsPath) == unix.TRACEFS_MAGIC || fsType(debugfsPath+"/tracing") == unix.TRACEFS_MAGIC {
		return nil
	}
	errT := unix.Mount("nodev", tracefsPath, "tracefs", 0, "")
	if errT == nil {
		return nil
	}
	if fsType(debugfsPath) != unix.DEBUGFS_MAGIC {
		if errD := unix.Mount("nodev", debugfsPath, "debugfs", 0, ""); errD != nil {
			return fmt.Errorf("%w: mount tracefs on %s: %w; mount debugfs on %s: %w", ErrTracefs, tracefsPath, errT, debugfsPath, errD)
		}
	}
	if t := fsType(debugfsPath + "/tracing"); t != unix.TRACEFS_MAGIC && t != unix.DEBUGFS_MAGIC {
		return fmt.Errorf("%w: mount tracefs on %s: %w; debugfs has no tracing/", ErrTracefs, tracefsPath, errT)
	}
	return nil
}

func fsType(path string) int64 {
	var st unix.Statfs_t
	if unix.Statfs(path, &st) != nil {
		return 0
	}
	return int64(st.Type)
}

// eventsDir is the events directory of the mounted tracefs.
func eventsDir() string {
	if fsType(tracefsPath) == unix.TRACEFS_MAGIC {
		return tracefsPath + "/events"
	}
	return debugfsPath + "/tracing/events"
}
