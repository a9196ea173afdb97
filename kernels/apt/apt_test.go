package apt_test

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/probehub/probehub/internal/debcache"
	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/kernels/apt"
)

func find(ks []kernels.Kernel, release string) *kernels.Kernel {
	for i := range ks {
		if ks[i].Release == release {
			return &ks[i]
		}
	}
	return nil
}

// TestSystemLists reads this machine's real apt lists (lz4 indexes).
func TestSystemLists(t *testing.T) {
	if _, err := os.Stat("/var/lib/apt/lists"); err != nil {
		t.Skip("no /var/lib/apt/lists")
	}
	ks, err := (&apt.Lists{Dir: "/var/lib/apt/lists"}).Kernels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(ks) == 0 {
		t.Fatal("no kernels in the system's apt lists")
	}
	var cloud *kernels.Kernel
	for i, k := range ks {
		if err := k.Key.Validate(); err != nil {
			t.Errorf("kernel %d: %v", i, err)
		}
		if k.Distro != "debian" || k.VersionID != "12" || k.Arch != "x86_64" {
			t.Errorf("%s: want debian/12/x86_64", k.Key)
		}
		if k.Flavour == "cloud-amd64" && strings.HasSuffix(k.Packages.Image.Name, "-unsigned") {
			cloud = &ks[i]
		}
	}
	if cloud == nil {
		t.Fatal("no cloud-amd64 -unsigned kernel")
	}
	img := cloud.Packages.Image
	if !strings.HasPrefix(img.URL, "http://deb.debian.org/debian") || len(img.SHA256) != 64 || img.Size == 0 || cloud.BTF != kernels.BTFBuiltin {
		t.Errorf("cloud kernel %+v image %+v", cloud, img)
	}
	t.Logf("%d kernels; e.g. %s %s (dbg %v, headers %v)", len(ks), cloud.Key, img.Version, cloud.Packages.Debug != nil, cloud.Packages.Headers != nil)
}

// TestLiveMirror fetches the suites of the mirror apt here is configured
// with (never a hard-coded host), including backports.
//
// Slow: downloads the package indexes of every suite of the configured
// Debian mirror (1 min).
func TestLiveMirror(t *testing.T) {
	t.Log("slow: downloads the package indexes of every suite of the configured Debian mirror (1 min)")
	if testing.Short() {
		t.Skip("network")
	}
	uri, codename, err := debcache.SystemMirror()
	if err != nil {
		t.Skipf("no Debian mirror configured: %v", err)
	}
	host := strings.Split(strings.TrimPrefix(strings.TrimPrefix(uri, "http://"), "https://"), "/")[0]
	if c, err := net.DialTimeout("tcp", withPort(host), 30*time.Second); err != nil {
		t.Skipf("mirror %s unreachable: %v", uri, err)
	} else {
		c.Close()
	}
	// A hang guard, not a time limit: at load 30 under -race the download
	// and parse of both suites' indexes took over a minute.
	ctx, cancel := context.WithTimeout(context.Background(), 5*testutil.Patience)
	defer cancel()
	ks, err := (&apt.Mirror{URI: uri, Suites: []string{codename, codename + "-backports"}}).Kernels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var has612 bool
	for _, k := range ks {
		has612 = has612 || strings.HasPrefix(k.Release, "6.12.")
	}
	if len(ks) < 3 || !has612 {
		t.Errorf("%d kernels, 6.12 from backports: %v", len(ks), has612)
	}
	t.Logf("%d kernels from %s", len(ks), uri)
}

func withPort(host string) string {
	if _, _, err := net.SplitHostPort(host); err == nil {
		return host
	}
	return net.JoinHostPort(host, "80")
}

// TestUbuntuNVIDIA checks release/flavour/build and NVIDIA branch derivation
// on Ubuntu-shaped stanzas (testdata/ubuntu/, a real jammy excerpt layout).
func TestUbuntuNVIDIA(t *testing.T) {
	ks, err := (&apt.Lists{Dir: "testdata/ubuntu"}).Kernels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	nv := find(ks, "5.15.0-1042-nvidia")
	gen := find(ks, "5.15.0-91-generic")
	if nv == nil || gen == nil {
		t.Fatalf("kernels %v", ks)
	}
	if nv.Flavour != "nvidia" || !nv.IsNVIDIA() || nv.VersionID != "22.04" || nv.Build != "47" {
		t.Errorf("nvidia kernel %+v", nv)
	}
	if strings.Join(gen.NVIDIA, ",") != "535,535-server" || gen.Build != "101" || gen.Codename != "jammy" {
		t.Errorf("generic kernel %+v", gen)
	}
	if gen.Packages.Headers == nil || len(gen.Packages.Alternates) != 1 || !strings.HasSuffix(gen.Packages.Alternates[0].Name, "unsigned-5.15.0-91-generic") {
		t.Errorf("generic packages %+v", gen.Packages)
	}
}

func TestBadRelease(t *testing.T) {
	_, err := apt.ParseRelease(strings.NewReader("Foo: bar\n"))
	if err == nil || errors.Is(err, nil) {
		t.Fatal("want an error for a Release without Origin")
	}
}
