package wire

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// TestLeaves keeps the format packages leaves: the standard library, the
// kernel key (kernels, with internal/jsonpos, its standard-library-only
// error positions) and each other, nothing more.
func TestLeaves(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "./...").Output()
	if err != nil {
		var stderr []byte
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
			stderr = ee.Stderr
		}
		t.Fatalf("go list: %v\n%s", err, stderr) // never a skip: the check must run
	}
	for _, dep := range strings.Fields(string(out)) {
		if !strings.Contains(dep, ".") && !strings.Contains(dep, "probehub") {
			continue // standard library
		}
		if !strings.HasPrefix(dep, "github.com/probehub/probehub/wire") && dep != "github.com/probehub/probehub/kernels" &&
			dep != "github.com/probehub/probehub/internal/jsonpos" {
			t.Errorf("wire depends on %s", dep)
		}
	}
}
