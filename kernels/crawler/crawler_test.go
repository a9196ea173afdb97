package crawler_test

import (
	"context"
	"testing"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/kernels/crawler"
)

func TestSharedFile(t *testing.T) {
	p := testutil.SharedData(t, "kernel-crawler_x86_64_ubuntu_only_2022-10-03.json")
	ks, err := (&crawler.File{Path: p}).Kernels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := kernels.New()
	_, _, invalid := c.Add(ks...)
	if invalid != 0 || c.Len() < 2686 {
		t.Fatalf("%d kernels (%d invalid) from 2686 records", c.Len(), invalid)
	}
	for _, tc := range []struct {
		desc string
		key  kernels.Key
		want string // build
	}{
		{"HWE 5.4 on bionic is the real generic release", kernels.Key{Distro: "ubuntu", VersionID: "18.04", Arch: "x86_64", Release: "5.4.0-128-generic"}, "144~18.04.1"},
		{"the same release on focal is another kernel", kernels.Key{Distro: "ubuntu", VersionID: "20.04", Arch: "x86_64", Release: "5.4.0-128-generic"}, "144"},
		{"lowlatency from an HWE record", kernels.Key{Distro: "ubuntu", VersionID: "18.04", Arch: "x86_64", Release: "5.4.0-128-lowlatency"}, "144~18.04.1"},
		{"nvidia flavour", kernels.Key{Distro: "ubuntu", VersionID: "22.04", Arch: "x86_64", Release: "5.15.0-1006-nvidia"}, "6"},
		{"oem-5.10 without ~ is focal", kernels.Key{Distro: "ubuntu", VersionID: "20.04", Arch: "x86_64", Release: "5.10.0-1057-oem"}, ""},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			k, ok := c.Get(tc.key)
			if !ok {
				t.Fatalf("%s not in catalog", tc.key)
			}
			if tc.want != "" && k.Build != tc.want {
				t.Errorf("build %q, want %q", k.Build, tc.want)
			}
		})
	}
	for _, k := range c.All() {
		if k.Flavour == "" || k.Codename == "" {
			t.Errorf("%s: flavour %q codename %q", k.Key, k.Flavour, k.Codename)
		}
	}
	if n := len(c.Filter(kernels.Filter{Flavour: "nvidia"})); n != 3 {
		t.Errorf("%d nvidia kernels, want 3", n)
	}
}

func TestImagePackages(t *testing.T) {
	for _, tc := range []struct {
		dir, signed string
	}{
		{"http://security.ubuntu.com/ubuntu/pool/main/l/linux-hwe-5.15", "http://security.ubuntu.com/ubuntu/pool/main/l/linux-signed-hwe-5.15"},
		{"http://security.ubuntu.com/ubuntu/pool/main/l/linux", "http://security.ubuntu.com/ubuntu/pool/main/l/linux-signed"},
		{"http://security.ubuntu.com/ubuntu/pool/main/l/linux-nvidia", "http://security.ubuntu.com/ubuntu/pool/main/l/linux-signed-nvidia"},
	} {
		r := crawler.Record{KernelRelease: "5.15.0-50-generic", KernelVersion: "56", Target: "ubuntu-generic",
			Headers: []string{tc.dir + "/linux-headers-5.15.0-50-generic_5.15.0-50.56_amd64.deb"}}
		ks := crawler.Convert(r, "x86_64", "t")
		if len(ks) != 1 {
			t.Fatalf("%d kernels", len(ks))
		}
		p := ks[0].Packages
		if p.Image.URL != tc.dir+"/linux-image-unsigned-5.15.0-50-generic_5.15.0-50.56_amd64.deb" ||
			p.Alternates[1].URL != tc.signed+"/linux-image-5.15.0-50-generic_5.15.0-50.56_amd64.deb" ||
			p.Alternates[2].Name != "linux-modules-5.15.0-50-generic" {
			t.Errorf("%s: %+v %+v", tc.dir, p.Image, p.Alternates)
		}
		if ks := crawler.Convert(r, "aarch64", "t"); len(ks) != 0 {
			t.Errorf("amd64 headers read as aarch64 kernels: %v", ks)
		}
	}
}

// TestNoSHA256Merged: every package of a kernel-crawler entry says its hash
// is unknown; merged with an apt crawl of the same archive (which lists the
// files with their SHA256) it gets the hashes and the mark goes.
func TestNoSHA256Merged(t *testing.T) {
	const dir = "http://archive.ubuntu.com/ubuntu/pool/main/l/linux"
	r := crawler.Record{KernelRelease: "5.15.0-50-generic", KernelVersion: "56", Target: "ubuntu-generic",
		Headers: []string{dir + "/linux-headers-5.15.0-50-generic_5.15.0-50.56_amd64.deb"}}
	ks := crawler.Convert(r, "x86_64", "crawler:t")
	if len(ks) != 1 {
		t.Fatalf("%d kernels", len(ks))
	}
	k := ks[0]
	for _, p := range append([]kernels.Package{*k.Packages.Image, *k.Packages.Headers}, k.Packages.Alternates...) {
		if p.HashKnown() || p.NoSHA256 != crawler.NoSHA256 {
			t.Errorf("%s: sha256 %q, no_sha256 %q: want unknown, with the reason", p.Name, p.SHA256, p.NoSHA256)
		}
	}
	apt := kernels.Kernel{Key: k.Key, Packages: kernels.Packages{
		Image: &kernels.Package{Name: "linux-image-unsigned-5.15.0-50-generic", Version: "5.15.0-50.56",
			URL: dir + "/linux-image-unsigned-5.15.0-50-generic_5.15.0-50.56_amd64.deb", SHA256: "aa", Size: 12},
		Alternates: []kernels.Package{{Name: "linux-modules-5.15.0-50-generic", Version: "5.15.0-50.56",
			URL: dir + "/linux-modules-5.15.0-50-generic_5.15.0-50.56_amd64.deb", SHA256: "bb", Size: 34}}},
		Sources: []string{"apt:x"}}
	c := kernels.New()
	c.Add(k)
	c.Add(apt)
	got, _ := c.Get(k.Key)
	if img := got.Packages.Image; img.SHA256 != "aa" || img.NoSHA256 != "" || img.Size != 12 {
		t.Errorf("image after merge: %+v", img)
	}
	for _, p := range got.Packages.Alternates {
		switch p.Name {
		case "linux-modules-5.15.0-50-generic":
			if p.SHA256 != "bb" || p.NoSHA256 != "" {
				t.Errorf("modules alternate after merge: %+v", p)
			}
		default: // not in the apt entry: still unknown
			if p.HashKnown() || p.NoSHA256 == "" {
				t.Errorf("%s after merge: %+v", p.Name, p)
			}
		}
	}
}
