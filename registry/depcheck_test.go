package registry

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies keeps registry light: no sensor, builder, cmd or
// loader (cilium/ebpf) code in it.
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".", "./sign", "./rulesfile").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, bad := range []string{"probehub/sensor", "probehub/builder", "probehub/cmd", "probehub/compat", "cilium/ebpf"} {
			if strings.Contains(dep, bad) {
				t.Errorf("registry depends on %s", dep)
			}
		}
	}
}
