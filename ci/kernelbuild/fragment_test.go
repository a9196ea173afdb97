package kernelbuild

import (
	"strings"
	"testing"
)

const testFragment = `# comment
CONFIG_BPF_SYSCALL=y

# CONFIG_DEBUG_INFO_BTF is not set
CONFIG_DEBUG_INFO_REDUCED=n
CONFIG_LOCALVERSION="-probehub-nobtf"
CONFIG_NR_CPUS=4
`

func TestParseFragment(t *testing.T) {
	f, err := ParseFragment(strings.NewReader(testFragment))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"CONFIG_BPF_SYSCALL=y", "CONFIG_DEBUG_INFO_BTF=n", "CONFIG_DEBUG_INFO_REDUCED=n",
		`CONFIG_LOCALVERSION="-probehub-nobtf"`, "CONFIG_NR_CPUS=4"}
	if len(f) != len(want) {
		t.Fatalf("got %d symbols %v, want %d", len(f), f, len(want))
	}
	for i, s := range f {
		if s.String() != want[i] {
			t.Errorf("symbol %d = %s, want %s", i, s, want[i])
		}
	}
	back, err := ParseFragment(strings.NewReader(string(f.Bytes())))
	if err != nil || len(back) != len(f) {
		t.Fatalf("round trip: %v, %v", back, err)
	}
	if !strings.Contains(string(f.Bytes()), "# CONFIG_DEBUG_INFO_REDUCED is not set\n") {
		t.Errorf("=n is not written as merge_config.sh's not-set form:\n%s", f.Bytes())
	}
}

func TestParseFragmentErrors(t *testing.T) {
	for _, in := range []string{
		"BPF_SYSCALL=y",                     // no CONFIG_ prefix
		"CONFIG_BPF=",                       // no value
		"CONFIG_BPF=y\nCONFIG_BPF=n",        // set twice
		"CONFIG_BPF y",                      // no '='
		"CONFIG_X=y\n# CONFIG_X is not set", // set twice, second as not-set
	} {
		if _, err := ParseFragment(strings.NewReader(in)); err == nil {
			t.Errorf("%q: want an error", in)
		}
	}
}

func TestFragmentCheck(t *testing.T) {
	f, err := ParseFragment(strings.NewReader(testFragment))
	if err != nil {
		t.Fatal(err)
	}
	config := `CONFIG_BPF_SYSCALL=y
# CONFIG_DEBUG_INFO_BTF is not set
CONFIG_LOCALVERSION="-probehub-nobtf"
CONFIG_NR_CPUS=8
`
	// DEBUG_INFO_REDUCED absent: its dependencies are off, which is "n".
	// NR_CPUS differs.
	ms, err := f.Check([]byte(config))
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].Want.Name != "CONFIG_NR_CPUS" || ms[0].Got != "8" {
		t.Fatalf("mismatches = %v, want CONFIG_NR_CPUS only", ms)
	}
	ms, _ = f.Check([]byte("CONFIG_DEBUG_INFO_BTF=y\n"))
	var names []string
	for _, m := range ms {
		names = append(names, m.String())
	}
	got := strings.Join(names, "; ")
	for _, want := range []string{"CONFIG_BPF_SYSCALL=y (got absent)", "CONFIG_DEBUG_INFO_BTF=n (got y)"} {
		if !strings.Contains(got, want) {
			t.Errorf("mismatches %q lack %q", got, want)
		}
	}
}
