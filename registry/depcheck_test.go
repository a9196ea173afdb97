package registry

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies keeps registry light: no sensor, builder, cmd or
// loader (cilium/ebpf) code in it.
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".", "./sign", "./rulesfile").Output()
	if err != nil {
		var stderr []byte
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
			stderr = ee.Stderr
		}
		t.Fatalf("go list: %v\n%s", err, stderr) // never a skip: the check must run
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, bad := range []string{"probehub/sensor", "probehub/builder", "probehub/cmd", "probehub/compat", "cilium/ebpf"} {
			if strings.Contains(dep, bad) {
				t.Errorf("registry depends on %s", dep)
			}
		}
	}
}
