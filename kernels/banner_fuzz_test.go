package kernels

import (
	"os"
	"strings"
	"testing"
)

// FuzzParseBanner: any /proc/version text gives a Banner or an error, never
// a panic; an accepted banner has a release without spaces taken from the
// text, and SameBanner is reflexive and symmetric and agrees with
// BannerWithoutBuild. Seeds are real banners (Debian image and running
// kernel, Ubuntu GA and HWE, this machine's /proc/version).
func FuzzParseBanner(f *testing.F) {
	for _, s := range []string{
		"Linux version 6.1.0-50-cloud-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) # SMP PREEMPT_DYNAMIC Debian 6.1.176-1 (2026-07-02)",
		"Linux version 6.1.0-50-cloud-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.176-1 (2026-07-02)\n",
		"Linux version 5.15.0-50-generic (buildd@lcy02-amd64-001) (gcc (Ubuntu 9.4.0-1ubuntu1~20.04.1) 9.4.0, GNU ld (GNU Binutils for Ubuntu) 2.34) #56~20.04.1-Ubuntu SMP Tue Sep 20 13:23:26 UTC 2022",
		"Linux version 4.15.0-213-generic (buildd@lcy02-amd64-079) (gcc version 7.5.0 (Ubuntu 7.5.0-3ubuntu1~18.04)) #224-Ubuntu SMP Mon Jun 19 13:30:12 UTC 2023",
		"Linux version x",
		"Linux version  #",
	} {
		f.Add(s, s)
	}
	if b, err := os.ReadFile("/proc/version"); err == nil {
		f.Add(string(b), "Linux version x (y) # SMP")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ba, err := ParseBanner(a)
		if err == nil {
			if ba.Release == "" || strings.ContainsAny(ba.Release, " ") || !strings.Contains(a, ba.Release) {
				t.Fatalf("ParseBanner(%q) release %q", a, ba.Release)
			}
			if !strings.Contains(a, ba.Version) || !strings.Contains(ba.Version, ba.Build) {
				t.Fatalf("ParseBanner(%q) = %+v: version or build not from the text", a, ba)
			}
		}
		if !SameBanner(a, a) {
			t.Fatalf("SameBanner(%q, itself) = false", a)
		}
		if SameBanner(a, b) != SameBanner(b, a) {
			t.Fatalf("SameBanner not symmetric for %q, %q", a, b)
		}
		if SameBanner(a, b) && BannerWithoutBuild(a) != BannerWithoutBuild(b) {
			t.Fatalf("SameBanner(%q, %q) but BannerWithoutBuild differs", a, b)
		}
	})
}
