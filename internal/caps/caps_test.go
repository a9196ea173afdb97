package caps

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestCheck(t *testing.T) {
	bpfNeed := Need{Cap: BPF, Or: []Cap{SysAdmin}, For: "loading the probes"}
	ptrace := Need{Cap: SysPtrace, For: "the process table"}
	for _, tc := range []struct {
		description string
		set         Set
		want        string // "" = no error
	}{
		{"all present", Set(1<<BPF | 1<<SysPtrace), ""},
		{"alternative", Set(1<<SysAdmin | 1<<SysPtrace), ""},
		{"first missing named", Set(1 << SysPtrace), "CAP_BPF is missing from the effective set: loading the probes needs it"},
		{"second missing named", Set(1 << BPF), "CAP_SYS_PTRACE is missing from the effective set: the process table needs it"},
	} {
		t.Run(tc.description, func(t *testing.T) {
			err := tc.set.Check(bpfNeed, ptrace)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || err.Error() != tc.want || !errors.Is(err, ErrMissing) {
				t.Fatalf("got %v, want %q wrapping ErrMissing", err, tc.want)
			}
		})
	}
}

func TestFromStatus(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "status")
	if err := os.WriteFile(p, []byte("Name:\tx\nCapEff:\t000001c000080000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := fromStatus(p, "CapEff:")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []Cap{BPF, Perfmon, SysPtrace} {
		if !s.Has(c) {
			t.Errorf("%s not found in %x", c, uint64(s))
		}
	}
	if s.Has(SysAdmin) {
		t.Errorf("CAP_SYS_ADMIN found in %x", uint64(s))
	}
	if err := os.WriteFile(p, []byte("CapEff:\tzz\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := fromStatus(p, "CapEff:"); err == nil {
		t.Fatal("no error for a bad CapEff")
	}
	if _, err := Effective(); err != nil {
		t.Fatal(err)
	}
}
