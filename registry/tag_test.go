package registry

import (
	"errors"
	"strings"
	"testing"

	"github.com/probehub/probehub/kernels"
)

func TestKernelTagRoundTrip(t *testing.T) {
	long := strings.Repeat("a", 100) + "-generic"
	tests := []struct {
		desc    string
		version string
		key     kernels.Key
		want    string // "" to only check the round trip
		hashed  bool
	}{
		{"ubuntu", "0.1.0", kernels.Key{Distro: "ubuntu", VersionID: "22.04", Arch: "x86_64", Release: "5.15.0-91-generic"}, "0.1.0__ubuntu__22.04__x86_64__5.15.0-91-generic", false},
		{"debian plus", "1.2.3", kernels.Key{Distro: "debian", VersionID: "12", Arch: "aarch64", Release: "6.1.0-18+deb12u1-arm64"}, "1.2.3__debian__12__aarch64__6.1.0-18_pdeb12u1-arm64", false},
		{"tilde and underscore", "1.0.0-rc.1+b.2", kernels.Key{Distro: "my_os", VersionID: "1", Arch: "x86_64", Release: "5.4~rc1_+x_"}, "1.0.0-rc.1_pb.2__my_os__1__x86_64__5.4_trc1_u_px_u", false},
		{"long release", "0.1.0", kernels.Key{Distro: "centos", VersionID: "7", Arch: "x86_64", Release: long}, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			tag, err := KernelTag(tc.version, tc.key)
			if err != nil {
				t.Fatal(err)
			}
			if !ValidTag(tag) {
				t.Fatalf("%q is not a valid OCI tag", tag)
			}
			if tc.want != "" && tag != tc.want {
				t.Errorf("tag = %q, want %q", tag, tc.want)
			}
			v, k, err := ParseKernelTag(tag)
			if tc.hashed {
				if !errors.Is(err, ErrTagHashed) || len(tag) != MaxTagLen {
					t.Fatalf("ParseKernelTag(%q) = %v (len %d), want ErrTagHashed", tag, err, len(tag))
				}
				return
			}
			if err != nil || v != tc.version || k != tc.key {
				t.Fatalf("ParseKernelTag(%q) = %q, %+v, %v", tag, v, k, err)
			}
		})
	}
}

func TestParseKernelTagRejects(t *testing.T) {
	for _, tag := range []string{"", "latest", "index-0.1.0", "0.1.0__ubuntu", "0.1.0__ubuntu__22.04__x86_64__5.15_", "0.1.0__ubuntu__22.04__sparc__5.15", "x__ubuntu__22.04__x86_64__5.15", "sha256-abc.sig", "0.1.0__a_hzz"} {
		if _, _, err := ParseKernelTag(tag); !errors.Is(err, ErrBadTag) {
			t.Errorf("ParseKernelTag(%q) = %v, want ErrBadTag", tag, err)
		}
	}
}

func FuzzKernelTag(f *testing.F) {
	f.Add("0.1.0", "ubuntu", "22.04", "x86_64", "5.15.0-91-generic")
	f.Add("1.0.0-rc.1+b", "my_os", "1", "aarch64", "5.4~rc1+x_y")
	f.Fuzz(func(t *testing.T, v, d, vid, arch, rel string) {
		k := kernels.Key{Distro: d, VersionID: vid, Arch: arch, Release: rel}
		tag, err := KernelTag(v, k)
		if err != nil {
			return
		}
		if !ValidTag(tag) {
			t.Fatalf("KernelTag(%q, %+v) = %q: not a valid OCI tag", v, k, tag)
		}
		gv, gk, err := ParseKernelTag(tag)
		if errors.Is(err, ErrTagHashed) {
			return
		}
		if err != nil || gv != v || gk != k {
			t.Fatalf("round trip of %q, %+v via %q = %q, %+v, %v", v, k, tag, gv, gk, err)
		}
	})
}

func FuzzParseKernelTag(f *testing.F) {
	f.Add("0.1.0__ubuntu__22.04__x86_64__5.15.0-91-generic")
	f.Add("1.0.0-rc.1_pb.2__my_os__1__x86_64__5.4_trc1_u_px_u")
	f.Fuzz(func(t *testing.T, tag string) {
		v, k, err := ParseKernelTag(tag)
		if err != nil {
			return
		}
		back, err := KernelTag(v, k)
		if err != nil || back != tag {
			t.Fatalf("ParseKernelTag(%q) = %q, %+v; encodes back to %q, %v", tag, v, k, back, err)
		}
	})
}

func TestVersionCompare(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1.2.3", "1.2.3", 0}, {"1.2.3", "1.10.0", -1}, {"2.0.0", "1.99.99", 1},
		{"1.0.0-rc.1", "1.0.0", -1}, {"1.0.0-rc.2", "1.0.0-rc.10", -1}, {"1.0.0-alpha", "1.0.0-alpha.1", -1},
		{"1.0.0+b1", "1.0.0+b2", 0},
	}
	for _, tc := range tests {
		a, _ := ParseVersion(tc.a)
		b, _ := ParseVersion(tc.b)
		if got := a.Compare(b); got != tc.want {
			t.Errorf("%s vs %s = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
	if _, err := ParseVersion("1.2"); err == nil {
		t.Error("ParseVersion(1.2) accepted")
	}
}
