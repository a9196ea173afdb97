package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/cilium/ebpf/btf"
	"github.com/probehub/probehub/builder/extract"
	"github.com/probehub/probehub/builder/minimize"
	"github.com/probehub/probehub/builder/verdict"
	"github.com/probehub/probehub/sensor/probe/bytecode"
	"github.com/probehub/probehub/wire/buildresult"
	"github.com/spf13/cobra"
)

// goarchOf maps uname -m to GOARCH, the key of the embedded probe objects.
var goarchOf = map[string]string{"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}

// probeObject returns the object at path, or the sensor's embedded portable
// probe for arch (uname -m).
func probeObject(path, arch string) ([]byte, error) {
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read probe object: %w", err)
		}
		return b, nil
	}
	ga, ok := goarchOf[arch]
	if !ok {
		return nil, fmt.Errorf("no embedded probe for arch %q: use x86_64 or aarch64, or pass --object", arch)
	}
	// The portable build: the fast one needs the node's own BTF, so no
	// minimized BTF is ever made for it.
	return bytecode.ObjectFor(ga, bytecode.Portable)
}

type minimizeSummary struct {
	Output      string               `json:"output"`
	Types       int                  `json:"types"`
	Size        int                  `json:"size"`
	FullTypes   int                  `json:"full_types"`
	FullSize    int                  `json:"full_size"`
	Object      string               `json:"object_sha256"`
	Relocations int                  `json:"relocations"`
	Verdict     *buildresult.Verdict `json:"verdict,omitempty"`
}

func newBTFMinimizeCmd(_ *globalFlags) *cobra.Command {
	var btfPath, objPath, out, release, arch string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "minimize --btf KERNEL.btf [--object PROBE.o] -o MIN.btf",
		Short: "Cut a kernel's BTF down to what the probe's CO-RE relocations need",
		Long: `Compute the minimal BTF of a kernel against which every CO-RE relocation of
the probe object resolves exactly as against the kernel's whole BTF (what
'bpftool gen min_core_btf' does, in Go). The sensor loads its probes with it
as KernelTypes on nodes whose kernel ships no BTF. A full kernel BTF is
4-5 MB; the sensor's probe needs about 3 KB of it.

--btf takes anything 'probehub btf extract' does: a raw BTF, a linux-image
.deb, a vmlinuz, a vmlinux or a btfhub .btf.tar.xz. --object defaults to the
sensor's embedded (portable) probe for --arch. With --release (uname -r of that kernel)
it also prints the verdict: will the probe load there, and if not, why.

Examples:
  probehub btf minimize --btf /sys/kernel/btf/vmlinux -o host.min.btf
  probehub btf minimize --btf linux-image-6.1.0-56-amd64-unsigned_6.1.192-2_amd64.deb \
      -o 6.1.0-56.min.btf --release 6.1.0-56-amd64 --json
  probehub btf minimize --btf 5.4.0-100-generic.btf.tar.xz --object my.bpf.o -o min.btf`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			oneShotGC(512 << 20)
			obj, err := probeObject(objPath, arch)
			if err != nil {
				return err
			}
			o, err := minimize.ParseObject(obj)
			if err != nil {
				return err
			}
			ex, err := extract.FromFile(cmd.Context(), btfPath, nil)
			if err != nil {
				return namePath(btfPath, err)
			}
			if release == "" {
				release = ex.Release
			}
			k, err := minimize.ParseKernel(ex.BTF)
			if err != nil {
				return fmt.Errorf("%s: parse kernel BTF: %w", btfPath, err)
			}
			res, err := o.MinimizeRaw(k)
			if err != nil {
				return err
			}
			if err := os.WriteFile(out, res.BTF, 0o644); err != nil {
				return fmt.Errorf("write minimized BTF: %w", err)
			}
			s := minimizeSummary{Output: out, Types: res.Types, Size: len(res.BTF), FullTypes: ex.Types,
				FullSize: len(ex.BTF), Object: o.SHA256, Relocations: len(o.ExtRelocations())}
			if release != "" {
				spec, err := btf.LoadSpecFromReader(bytes.NewReader(ex.BTF))
				if err != nil {
					return fmt.Errorf("%s: parse kernel BTF: %w", btfPath, err)
				}
				v := verdict.Judge(verdict.Input{Object: o, Target: spec, Release: release, Arch: arch})
				s.Verdict = &v
			}
			return printMinimize(cmd, s, asJSON)
		},
	}
	cmd.Flags().StringVar(&btfPath, "btf", "", "the kernel's BTF, or a .deb/vmlinuz/vmlinux/btfhub file holding it (required)")
	cmd.Flags().StringVar(&objPath, "object", "", "the BPF object (default: the sensor's embedded probe for --arch)")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the minimized BTF here (required)")
	cmd.Flags().StringVar(&release, "release", "", "uname -r of the kernel, for the verdict (default: from the input's banner, if any)")
	cmd.Flags().StringVar(&arch, "arch", "x86_64", "uname -m of the kernel: x86_64 or aarch64")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the summary as JSON")
	cmd.MarkFlagRequired("btf")
	cmd.MarkFlagRequired("output")
	return cmd
}

func printMinimize(cmd *cobra.Command, s minimizeSummary, asJSON bool) error {
	w := cmd.OutOrStdout()
	if asJSON {
		e := json.NewEncoder(w)
		e.SetIndent("", "  ")
		return e.Encode(s)
	}
	fmt.Fprintf(w, "wrote %s: %d types, %d bytes (from %d types, %d bytes; %d relocations)\n",
		s.Output, s.Types, s.Size, s.FullTypes, s.FullSize, s.Relocations)
	if s.Verdict != nil {
		fmt.Fprintf(w, "verdict: %s\n", s.Verdict.Status)
		for _, r := range s.Verdict.Reasons {
			fmt.Fprintf(w, "  %s\n", r)
		}
	}
	return nil
}
