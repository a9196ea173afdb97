package probe

import (
	"context"
	"errors"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/event"
)

// TestSyscallNumbers checks the tables against the installed uapi headers.
func TestSyscallNumbers(t *testing.T) {
	headers := map[string]string{
		"amd64": "/usr/include/x86_64-linux-gnu/asm/unistd_64.h",
		"arm64": "/usr/include/asm-generic/unistd.h",
	}
	re := regexp.MustCompile(`(?m)^#define __NR(?:3264)?_(\w+)\s+(\d+)`)
	for arch, path := range headers {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Logf("skip %s: %v", arch, err)
			continue
		}
		want := map[string]uint32{}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			n, _ := strconv.Atoi(m[2])
			want[m[1]] = uint32(n)
		}
		if arch == "arm64" {
			want["newfstatat"] = want["fstatat"] // __NR3264_fstatat
		}
		for name, nr := range syscallNumbers[arch] {
			got, ok := want[name]
			if !ok && genericNumbers[arch][name] == nr {
				continue // a generic syscall newer than the installed headers (its number from x/sys)
			}
			if got != nr {
				t.Errorf("%s %s = %d, header says %d", arch, name, nr, got)
			}
		}
	}
}

func TestParseTypes(t *testing.T) {
	got, err := ParseTypes("execve, openat")
	if err != nil || len(got) != 2 || got[0] != event.TypeExecve || got[1] != event.TypeOpenat {
		t.Errorf("ParseTypes = %v, %v", got, err)
	}
	if _, err := ParseTypes("execve,nosuch"); !errors.Is(err, ErrUnknownType) {
		t.Errorf("unknown name: %v, want ErrUnknownType", err)
	}
	// llseek is a Falco event of 32-bit ABIs only
	if _, err := ParseTypes("llseek"); !errors.Is(err, ErrUnknownType) || !strings.Contains(err.Error(), "no such syscall on "+runtime.GOARCH) {
		t.Errorf("llseek: %v, want ErrUnknownType naming the architecture", err)
	}
}

// TestLoadKernelTypes loads with explicitly given BTF, as the sensor does
// with a downloaded (minimized) artifact.
func TestLoadKernelTypes(t *testing.T) {
	testutil.RequireRoot(t)
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		testutil.SkipOrFail(t, "no kernel BTF: "+err.Error())
	}
	p, err := Load(context.Background(), Options{Types: []event.Type{event.TypeOpenat}, KernelTypes: spec})
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
}
