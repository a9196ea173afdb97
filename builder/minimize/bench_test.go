package minimize

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/cilium/ebpf/btf"
	"github.com/probehub/probehub/internal/testutil"
)

// BenchmarkVsBpftool prints, per kernel, the time of one minimization in
// batch mode (object parsed once; kernel BTF bytes in memory, parsed and
// minimized per iteration) beside `bpftool gen min_core_btf` on the same
// files (exec'd, start-up included), and both output sizes.
//
//	go test -run '^$' -bench VsBpftool -benchtime 1x ./builder/minimize/
func BenchmarkVsBpftool(b *testing.B) {
	bpftool := testutil.RequireTool(b, "bpftool")
	o := loadTestObject(b)
	const rounds = 10
	fmt.Printf("%-14s %10s %10s %7s %9s %9s\n", "kernel", "ours ms", "bpftool ms", "ratio", "ours B", "bpftool B")
	for _, name := range []string{"host", "6.1 generic", "6.1 cloud", "6.12 generic"} {
		path := oracleTargets(nil)[name](b)
		raw, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		var res *Result
		start := time.Now()
		for range rounds {
			spec, err := btf.LoadSpecFromReader(bytes.NewReader(raw))
			if err != nil {
				b.Fatal(err)
			}
			if res, err = o.Minimize(spec); err != nil {
				b.Fatal(err)
			}
		}
		ours := time.Since(start) / rounds
		out := filepath.Join(b.TempDir(), "bpftool.btf")
		start = time.Now()
		for range rounds {
			if msg, err := exec.Command(bpftool, "gen", "min_core_btf", path, out, testObject).CombinedOutput(); err != nil {
				b.Fatalf("bpftool: %v: %s", err, msg)
			}
		}
		theirs := time.Since(start) / rounds
		st, _ := os.Stat(out)
		fmt.Printf("%-14s %10.1f %10.1f %6.2fx %9d %9d\n", name, ms(ours), ms(theirs), ms(ours)/ms(theirs), len(res.BTF), st.Size())
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
