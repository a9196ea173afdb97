package compat

import (
	"slices"
	"strings"
	"testing"

	"github.com/probehub/probehub/internal/testutil"
)

// wrkSetup is how the server and wrk share the machine's CPUs.
type wrkSetup struct {
	serverPin, wrkPin string   // taskset -c lists; empty: not pinned
	env               []string // added to the server's environment
	threads           string   // wrk -t default
}

// wrkSetups are the setups TestWrkAPI knows. On 2 cores: "shared" lets the
// scheduler mix wrk and the server on both; "pinned" gives each a core (the
// server's GOMAXPROCS follows its affinity: 1); "gomaxprocs1" runs the
// server with GOMAXPROCS=1, unpinned; "gomaxprocs4" oversubscribes it.
var wrkSetups = map[string]wrkSetup{
	"shared":      {threads: "2"},
	"pinned":      {serverPin: "0", wrkPin: "1", threads: "1"},
	"gomaxprocs1": {env: []string{"GOMAXPROCS=1"}, threads: "2"},
	"gomaxprocs4": {env: []string{"GOMAXPROCS=4"}, threads: "2"},
}

func setupNames() string {
	var names []string
	for n := range wrkSetups {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// server describes the server's side of su for the printed line.
func (su wrkSetup) server() string {
	gmp := envOr("GOMAXPROCS", "default")
	for _, e := range su.env {
		if v, ok := strings.CutPrefix(e, "GOMAXPROCS="); ok {
			gmp = v
		}
	}
	if su.serverPin != "" && gmp == "default" {
		gmp = "default(affinity)"
	}
	return "server[cpus=" + orAll(su.serverPin) + " GOMAXPROCS=" + gmp + "]"
}

func (su wrkSetup) wrkCPUs() string { return "cpus=" + orAll(su.wrkPin) }

func orAll(cpus string) string {
	if cpus == "" {
		return "all"
	}
	return cpus
}

func (su wrkSetup) wrapServer(tb testing.TB, bin string, args []string) (string, []string) {
	return pin(tb, su.serverPin, bin, args)
}

func (su wrkSetup) wrapWrk(tb testing.TB, bin string, args []string) (string, []string) {
	return pin(tb, su.wrkPin, bin, args)
}

// pin runs bin under taskset when cpus is set.
func pin(tb testing.TB, cpus, bin string, args []string) (string, []string) {
	if cpus == "" {
		return bin, args
	}
	return testutil.RequireTool(tb, "taskset"), append([]string{"-c", cpus, bin}, args...)
}
