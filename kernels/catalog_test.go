package kernels_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/probehub/probehub/kernels"
)

func key(rel string) kernels.Key {
	return kernels.Key{Distro: "ubuntu", VersionID: "22.04", Arch: "x86_64", Release: rel}
}

func TestCatalogMergeStoreLookup(t *testing.T) {
	c := kernels.New()
	banner := "Linux version 5.15.0-91-generic (buildd@lcy02-amd64-045) (gcc 11.4.0) #101-Ubuntu SMP Tue Nov 14 13:30:08 UTC 2023"
	c.Add(kernels.Kernel{Key: key("5.15.0-91-generic"), Flavour: "generic", NVIDIA: []string{"535"}, BTF: kernels.BTFNone, Sources: []string{"a"}})
	_, updated, _ := c.Add(kernels.Kernel{Key: key("5.15.0-91-generic"), Banner: banner, NVIDIA: []string{"550"}, BTF: kernels.BTFBuiltin, Sources: []string{"b"}})
	_, _, invalid := c.Add(kernels.Kernel{Key: key("../etc")})
	if updated != 1 || invalid != 1 {
		t.Fatalf("updated %d invalid %d", updated, invalid)
	}
	path := filepath.Join(t.TempDir(), "data", kernels.CatalogFile)
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	c2, err := kernels.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	k, ok := c2.ByBanner(banner + "\n")
	if !ok || k.Flavour != "generic" || k.BTF != kernels.BTFBuiltin || len(k.NVIDIA) != 2 || len(k.Sources) != 2 {
		t.Fatalf("by banner: %+v %v", k, ok)
	}
	for _, tc := range []struct {
		desc string
		f    kernels.Filter
		want int
	}{
		{"all", kernels.Filter{}, 1},
		{"nvidia 550", kernels.Filter{NVIDIA: "550"}, 1},
		{"nvidia 570", kernels.Filter{NVIDIA: "570"}, 0},
		{"release prefix", kernels.Filter{ReleasePrefix: "5.15."}, 1},
		{"debian", kernels.Filter{Distro: "debian"}, 0},
	} {
		if got := len(c2.Filter(tc.f)); got != tc.want {
			t.Errorf("%s: %d kernels, want %d", tc.desc, got, tc.want)
		}
	}
	// A corrupt catalog is an error, not an empty catalog to overwrite.
	os.WriteFile(path, []byte("{"), 0o644)
	if _, err := kernels.Load(path); err == nil {
		t.Error("loading a corrupt catalog succeeded")
	}
}

func TestParseBanner(t *testing.T) {
	for _, tc := range []struct{ in, release, build string }{
		{"Linux version 5.4.0-128-generic (buildd@lcy02) (gcc version 7.5.0) #144~18.04.1-Ubuntu SMP Tue Sep 20 11:57:49 UTC 2022\n", "5.4.0-128-generic", "144~18.04.1"},
		{"Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)", "6.1.0-56-amd64", "1"},
	} {
		b, err := kernels.ParseBanner(tc.in)
		if err != nil || b.Release != tc.release || b.Build != tc.build {
			t.Errorf("ParseBanner(%.40q) = %+v, %v", tc.in, b, err)
		}
	}
	if _, err := kernels.ParseBanner("Linux"); err == nil {
		t.Error("want an error")
	}
}
