package matrix

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/wire/matrixrow"
)

func writeDefinition(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "matrix.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const ociRow = `kernels:
  - name: nobtf
    source: oci
    oci: nobtf-6.1
    build: {config: kernels/nobtf.config}
    distro: {id: debian, version_id: "12"}
    btf: none
  - name: apt
    image: linux-image-6.1.0-*-cloud-amd64-unsigned
    suite: bookworm-security
    archive: debian-security
    distro: {id: debian, version_id: "12"}
    btf: detached
`

func TestDefinitionOCIRow(t *testing.T) {
	p := writeDefinition(t, ociRow)
	d, err := LoadDefinition(p)
	if err != nil {
		t.Fatal(err)
	}
	k, a := d.Kernels[0], d.Kernels[1]
	if k.Source != SourceOCI || k.OCI != "nobtf-6.1" || k.BTF != matrixrow.BTFNone || !k.BTF.FromArtifact() {
		t.Errorf("oci row: %+v", k)
	}
	if want := filepath.Join(filepath.Dir(p), "kernels", "nobtf.config"); k.Build.Config != want {
		t.Errorf("config %q, want %q (relative to the definition)", k.Build.Config, want)
	}
	if a.Source != SourceApt || !a.BTF.FromArtifact() || matrixrow.BTFBuiltin.FromArtifact() {
		t.Errorf("apt row: %+v", a)
	}
}

func TestDefinitionOCIRowErrors(t *testing.T) {
	for name, c := range map[string]struct{ from, to, err string }{
		"no tag":         {"    oci: nobtf-6.1\n", "", "oci \"\""},
		"bad tag":        {"oci: nobtf-6.1", "oci: 'no/tag'", "want the image's tag"},
		"no config":      {"    build: {config: kernels/nobtf.config}\n", "", "build.config"},
		"apt fields":     {"    source: oci\n", "    source: oci\n    suite: bookworm\n", "are for apt rows"},
		"unknown source": {"source: oci", "source: ftp", "want apt or oci"},
		"bad btf":        {"btf: none", "btf: absent", "want builtin, detached or none"},
		"build on apt":   {"    btf: detached\n", "    btf: detached\n    oci: x\n", "for source: oci rows"},
		"no distro":      {`    distro: {id: debian, version_id: "12"}` + "\n    btf: none", "    btf: none", "distro id and version_id"},
	} {
		body := strings.Replace(ociRow, c.from, c.to, 1)
		if body == ociRow {
			t.Fatalf("%s: the test edit did not apply", name)
		}
		_, err := LoadDefinition(writeDefinition(t, body))
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: error %v, want one containing %q", name, err, c.err)
		}
	}
}

// TestRepoDefinition checks ci/matrix.yaml: its oci rows name a config
// fragment that exists and parses, and turns BTF off.
func TestRepoDefinition(t *testing.T) {
	d, err := LoadDefinition(filepath.Join(testutil.RepoRoot(t), "ci", "matrix.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, k := range d.Kernels {
		if k.Source != SourceOCI {
			continue
		}
		n++
		frag, err := readFragment(k.Build.Config)
		if err != nil {
			t.Fatalf("%s: %v", k.Name, err)
		}
		want := map[string]string{"CONFIG_DEBUG_INFO_BTF": "n", "CONFIG_BPF_SYSCALL": "y", "CONFIG_FTRACE_SYSCALLS": "y"}
		if k.BTF != matrixrow.BTFNone {
			delete(want, "CONFIG_DEBUG_INFO_BTF")
		}
		for _, s := range frag {
			if v, ok := want[s.Name]; ok && v == s.Value {
				delete(want, s.Name)
			}
		}
		if len(want) > 0 {
			t.Errorf("%s: %s lacks %v", k.Name, k.Build.Config, want)
		}
	}
	if n == 0 {
		t.Error("ci/matrix.yaml has no oci row")
	}
}

// TestDefaultJobSyscalls: a raw-capture guest names only syscalls its
// architecture has (arm64 has symlinkat but no symlink, and capture
// refuses a type the machine lacks).
func TestDefaultJobSyscalls(t *testing.T) {
	for _, tc := range []struct{ arch, want string }{
		{"amd64", "execve,openat,connect,symlinkat,symlink"},
		{"arm64", "execve,openat,connect,symlinkat"},
	} {
		j := defaultJob("6.1.0", matrixrow.BTFBuiltin, false, tc.arch)
		if got := j.Sensor[len(j.Sensor)-1]; got != tc.want {
			t.Errorf("%s: --syscalls %s, want %s", tc.arch, got, tc.want)
		}
	}
}
