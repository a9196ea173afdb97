// Package version reports the build's version from the Go build info, with an
// optional -ldflags override.
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version may be set with -ldflags "-X github.com/probehub/probehub/internal/version.Version=v1.2.3".
var Version = ""

// ProbeVersion is the version of the eBPF probes and rule engine contract;
// artifacts are published per probe version.
const ProbeVersion = "0.1.0"

// EngineVersion is the Falco rule engine version advertised to rules files
// (required_engine_version).
const EngineVersion = "0.63.0"

// String returns a one-line description of this build.
func String(program string) string {
	v, rev := Version, ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v == "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				rev = s.Value[:12]
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	out := fmt.Sprintf("%s %s (probes %s, engine %s, %s, %s/%s)", program, v, ProbeVersion, EngineVersion, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if rev != "" {
		out += " rev " + rev
	}
	return out
}
