package main

import (
	"os"
	"runtime/debug"
)

// oneShotGC tunes the collector for a command that handles one input and
// exits (btf extract, btf minimize): collections only when the heap nears
// limit, instead of each time it doubles. A 5 MB kernel BTF otherwise costs
// a third of the command's CPU in collections. GOGC or GOMEMLIMIT in the
// environment win.
func oneShotGC(limit int64) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(limit)
	debug.SetGCPercent(-1)
}

// batchGC tunes the collector for a build of many kernels: it keeps little
// live data from one kernel to the next (the parsed BTF is read in place),
// so collecting when the heap has grown fivefold instead of twofold costs
// a few MiB and saves most of the collections' CPU. GOGC or GOMEMLIMIT in
// the environment win.
func batchGC() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(400)
}
