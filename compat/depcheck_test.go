package compat

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies keeps the HTTP service light: it reads the build side's
// formats through the leaf packages of wire/, never the builder, the matrix
// runner, the sensor or the loader (cilium/ebpf).
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".", "./api", "./client").Output()
	if err != nil {
		var stderr []byte
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
			stderr = ee.Stderr
		}
		t.Fatalf("go list: %v\n%s", err, stderr) // never a skip: the check must run
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, bad := range []string{"probehub/ci/", "probehub/builder/", "probehub/sensor/", "probehub/cmd/", "cilium/ebpf"} {
			if strings.Contains(dep, bad) {
				t.Errorf("compat depends on %s", dep)
			}
		}
	}
}
