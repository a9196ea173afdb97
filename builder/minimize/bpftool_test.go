package minimize

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/probehub/probehub/internal/testutil"
)

// bpftoolMinimize runs `bpftool gen min_core_btf` and returns its output.
func bpftoolMinimize(tb testing.TB, bpftool, btfPath, object string) []byte {
	tb.Helper()
	out := filepath.Join(tb.TempDir(), "bpftool.btf")
	if b, err := exec.Command(bpftool, "gen", "min_core_btf", btfPath, out, object).CombinedOutput(); err != nil {
		tb.Fatalf("bpftool gen min_core_btf: %v: %s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// compareWithBpftool checks that our minimized BTF has the same content as
// bpftool's, byte for byte (type order, string table, kind flags).
//
// Known and accepted differences: none on the test object. Where they
// could arise: bpftool resolves each relocation against the first matching
// candidate (libbpf), we against the best-scoring one (cilium/ebpf, which
// loads the probes); and for type_matches cilium/ebpf compares members
// through pointers, where libbpf stops at them.
func compareWithBpftool(tb testing.TB, object, btfPath string) {
	tb.Helper()
	o, err := LoadObject(object)
	if err != nil {
		tb.Fatal(err)
	}
	bpftool := testutil.RequireTool(tb, "bpftool")
	raw, err := os.ReadFile(btfPath)
	if err != nil {
		tb.Fatal(err)
	}
	k, err := ParseKernel(raw)
	if err != nil {
		tb.Fatal(err)
	}
	res, err := o.MinimizeRaw(k) // the production path
	if err != nil {
		tb.Fatal(err)
	}
	theirs := bpftoolMinimize(tb, bpftool, btfPath, object)
	if diff := cmp.Diff(canonical(tb, theirs), canonical(tb, res.BTF)); diff != "" {
		tb.Errorf("minimized BTF differs from bpftool's (-bpftool +ours):\n%s", diff)
	}
	if !bytes.Equal(res.BTF, theirs) {
		tb.Errorf("minimized BTF has bpftool's content but not its bytes (%d and %d bytes)", len(res.BTF), len(theirs))
	}
	if len(res.BTF) > len(theirs) {
		tb.Errorf("ours is %d bytes, bpftool's %d", len(res.BTF), len(theirs))
	}
	tb.Logf("%s: ours %d bytes / %d types, bpftool %d bytes", btfPath, len(res.BTF), res.Types, len(theirs))
}
