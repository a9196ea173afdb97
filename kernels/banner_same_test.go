package kernels

import "testing"

func TestSameBanner(t *testing.T) {
	const (
		img  = "Linux version 6.1.0-50-cloud-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) # SMP PREEMPT_DYNAMIC Debian 6.1.176-1 (2026-07-02)"
		proc = "Linux version 6.1.0-50-cloud-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.176-1 (2026-07-02)\n"
		hwe  = "Linux version 5.15.0-50-generic (buildd@lcy02-amd64-001) (gcc (Ubuntu 9.4.0-1ubuntu1~20.04.1) 9.4.0, GNU ld (GNU Binutils for Ubuntu) 2.34) #56~20.04.1-Ubuntu SMP Tue Sep 20 13:23:26 UTC 2022"
		ga   = "Linux version 5.15.0-50-generic (buildd@lcy02-amd64-001) (gcc (Ubuntu 9.4.0-1ubuntu1~20.04.1) 9.4.0, GNU ld (GNU Binutils for Ubuntu) 2.34) #56-Ubuntu SMP Tue Sep 20 13:23:26 UTC 2022"
	)
	tests := []struct {
		desc string
		a, b string
		want bool
	}{
		{"identical", proc, proc, true},
		{"trailing newline", proc, proc[:len(proc)-1], true},
		{"Debian image lacks the build number", img, proc, true},
		{"symmetric", proc, img, true},
		{"Ubuntu HWE vs GA build differ", hwe, ga, false},
		{"other package version", img, proc[:len(proc)-12] + "2026-07-03)", false},
		{"other release", img, "Linux version 6.1.0-49-cloud-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) # SMP PREEMPT_DYNAMIC Debian 6.1.176-1 (2026-07-02)", false},
		{"no build marker", "Linux version x", "Linux version y", false},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			if got := SameBanner(tc.a, tc.b); got != tc.want {
				t.Errorf("SameBanner = %v, want %v", got, tc.want)
			}
		})
	}
	if BannerWithoutBuild(img) != BannerWithoutBuild(proc) {
		t.Error("BannerWithoutBuild differs for the Debian image and /proc/version")
	}
}

func TestCatalogByBannerDebianImage(t *testing.T) {
	const (
		img  = "Linux version 6.1.0-50-cloud-amd64 (debian-kernel@lists.debian.org) (gcc-12) # SMP PREEMPT_DYNAMIC Debian 6.1.176-1 (2026-07-02)"
		proc = "Linux version 6.1.0-50-cloud-amd64 (debian-kernel@lists.debian.org) (gcc-12) #1 SMP PREEMPT_DYNAMIC Debian 6.1.176-1 (2026-07-02)\n"
	)
	c := New()
	k := Kernel{Key: Key{Distro: "debian", VersionID: "12", Arch: "x86_64", Release: "6.1.0-50-cloud-amd64"}, Banner: img}
	c.Add(k)
	got, ok := c.ByBanner(proc)
	if !ok || got.Key != k.Key {
		t.Fatalf("ByBanner(/proc/version) = %v, %v", got.Key, ok)
	}
}
