package apt

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// FuzzParseRelease: any bytes give a Release or an error, never a panic;
// the seeds are real (a fixture-shaped jammy-updates InRelease).
func FuzzParseRelease(f *testing.F) {
	if b, err := os.ReadFile("testdata/ubuntu/archive.ubuntu.com_ubuntu_dists_jammy-updates_InRelease"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("Origin: Debian\nCodename: bookworm\nSHA256:\n 00 12 main/binary-amd64/Packages\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rel, err := ParseRelease(bytes.NewReader(b))
		if err == nil && (rel.Origin == "" || rel.Codename == "") {
			t.Errorf("release without Origin or Codename accepted: %+v", rel)
		}
	})
}

// FuzzPackages: any Packages text goes through the kernel rules without a
// panic, and every kernel it yields has a linux-image or a debug package
// (a release with only linux-modules is no kernel; the catalog validates
// keys).
func FuzzPackages(f *testing.F) {
	if b, err := os.ReadFile("testdata/ubuntu/archive.ubuntu.com_ubuntu_dists_jammy-updates_main_binary-amd64_Packages"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("Package: linux-image-generic-hwe-22.04\nArchitecture: amd64\nVersion: 6.5.0.14.14~22.04.7\nDepends: linux-image-6.5.0-14-generic, linux-firmware\n"))
	f.Add([]byte("Package: linux-modules-nvidia-535-5.15.0-91-generic\nArchitecture: amd64\nDepends: nvidia-kernel-common-535 (>= 535.129.03)\n"))
	rel := &Release{Origin: "Ubuntu", Codename: "jammy", Version: "22.04"}
	f.Fuzz(func(t *testing.T, b []byte) {
		bl, err := newBuilder(rel, "http://archive.example/ubuntu", "fuzz")
		if err != nil {
			t.Fatal(err)
		}
		bl.component("restricted")
		for st, err := range Stanzas(strings.NewReader(string(b))) {
			if err != nil {
				return
			}
			bl.add(st)
		}
		for _, k := range bl.result() {
			if (k.Packages.Image == nil || !strings.HasPrefix(k.Packages.Image.Name, "linux-image-")) && k.Packages.Debug == nil {
				t.Errorf("kernel %s without a linux-image or debug package: %+v", k.Key, k.Packages)
			}
		}
	})
}
