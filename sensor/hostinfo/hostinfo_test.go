package hostinfo

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/probehub/probehub/kernels"
)

func TestDetectUnderHostRoot(t *testing.T) {
	root := t.TempDir()
	write := func(p, s string) {
		t.Helper()
		p = filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("etc/os-release", "NAME=\"Ubuntu\"\nID=ubuntu\nVERSION_ID=\"22.04\"\n# c\n")
	write("proc/version", "Linux version 5.15.0-91-generic (buildd@lcy02) #101-Ubuntu SMP\n")
	write("proc/sys/kernel/osrelease", "5.15.0-91-generic\n")
	h, err := Detect(root)
	if err != nil {
		t.Fatal(err)
	}
	want := kernels.Key{Distro: "ubuntu", VersionID: "22.04", Arch: h.Key.Arch, Release: "5.15.0-91-generic"}
	if h.Key != want || h.Banner != "Linux version 5.15.0-91-generic (buildd@lcy02) #101-Ubuntu SMP" || h.KernelBTF != "" {
		t.Fatalf("Detect = %+v", h)
	}
	write("sys/kernel/btf/vmlinux", "x")
	if h, _ := Detect(root); h.KernelBTF == "" {
		t.Fatal("kernel BTF not seen")
	}
}

func TestParseOSRelease(t *testing.T) {
	tests := []struct {
		desc, in string
		id, ver  string
		ok       bool
	}{
		{"debian", "ID=debian\nVERSION_ID=\"12\"\n", "debian", "12", true},
		{"single quotes", "ID='rhel'\nVERSION_ID='9.3'", "rhel", "9.3", true},
		{"no version", "ID=arch\n", "", "", false},
		{"garbage", "ID debian", "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			m, err := ParseOSRelease(tc.in)
			if (err == nil) != tc.ok || (tc.ok && (m["ID"] != tc.id || m["VERSION_ID"] != tc.ver)) {
				t.Fatalf("ParseOSRelease = %v, %v", m, err)
			}
		})
	}
}

func FuzzParseOSRelease(f *testing.F) {
	f.Add("ID=debian\nVERSION_ID=\"12\"\n")
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseOSRelease(s)
		if err == nil && (m["ID"] == "" || m["VERSION_ID"] == "") {
			t.Fatal("accepted without ID/VERSION_ID")
		}
	})
}
