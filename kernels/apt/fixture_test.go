package apt_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/probehub/probehub/internal/aptfixture"
	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/kernels/apt"
)

var ubuntuSuites = []string{"bionic", "jammy", "jammy-updates", "jammy-security", "noble"}

func fixtureMirror(t *testing.T) (*aptfixture.Mirror, *apt.Mirror) {
	t.Helper()
	fx := aptfixture.Ubuntu(t, nil)
	srv := httptest.NewServer(http.FileServer(http.Dir(fx.Dir)))
	t.Cleanup(srv.Close)
	kr, err := apt.LoadKeyring(fx.Keyring)
	if err != nil {
		t.Fatal(err)
	}
	return fx, &apt.Mirror{URI: srv.URL + "/", Suites: ubuntuSuites, Arches: []string{"amd64", "arm64"}, Keyring: kr}
}

func get(t *testing.T, ks []kernels.Kernel, key string) kernels.Kernel {
	t.Helper()
	for _, k := range ks {
		if k.Key.String() == key {
			return k
		}
	}
	t.Fatalf("no kernel %s", key)
	return kernels.Kernel{}
}

// TestFixtureUbuntu crawls the Ubuntu fixture archive: every component and
// pocket, two arches, signatures verified.
func TestFixtureUbuntu(t *testing.T) {
	_, m := fixtureMirror(t)
	ks, err := m.Kernels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	gen := get(t, ks, "ubuntu/22.04/x86_64/5.15.0-91-generic")
	if gen.Packages.Image.Name != "linux-image-unsigned-5.15.0-91-generic" || len(gen.Packages.Alternates) != 2 ||
		gen.Packages.Alternates[1].Name != "linux-modules-5.15.0-91-generic" || gen.Build != "101" {
		t.Errorf("5.15.0-91 packages %+v", gen.Packages)
	}
	want := []kernels.NVIDIADriver{
		{Branch: "535", Version: "535.129.03", Package: "linux-modules-nvidia-535-5.15.0-91-generic"},
		{Branch: "535-server", Version: "535.129.03", Package: "linux-objects-nvidia-535-server-5.15.0-91-generic"},
	}
	if !slices.Equal(gen.Drivers, want) || strings.Join(gen.NVIDIA, ",") != "535,535-server" {
		t.Errorf("drivers %+v branches %v", gen.Drivers, gen.NVIDIA)
	}
	if hwe := get(t, ks, "ubuntu/22.04/x86_64/6.5.0-14-generic"); hwe.Build != "14~22.04.1" || hwe.Codename != "jammy" {
		t.Errorf("HWE %+v", hwe)
	}
	if arm := get(t, ks, "ubuntu/22.04/aarch64/5.15.0-91-generic"); !strings.HasSuffix(arm.Packages.Image.URL, "_arm64.deb") {
		t.Errorf("arm64 %+v", arm.Packages.Image)
	}
	get(t, ks, "ubuntu/18.04/x86_64/4.15.0-20-generic")
	get(t, ks, "ubuntu/24.04/x86_64/6.8.0-31-generic")
	if nv := get(t, ks, "ubuntu/22.04/x86_64/5.15.0-1042-nvidia"); !nv.IsNVIDIA() || nv.Flavour != "nvidia" {
		t.Errorf("nvidia flavour %+v", nv)
	}
	for _, k := range ks {
		if !strings.HasPrefix(k.Release, "4.") && !strings.HasPrefix(k.Release, "5.") && !strings.HasPrefix(k.Release, "6.") {
			t.Errorf("meta-package or junk as a kernel: %s", k.Key)
		}
	}
	var hwe *kernels.Alias
	for _, a := range m.Aliases() {
		if a.Name == "linux-image-generic-hwe-22.04" {
			hwe = &a
		}
	}
	if hwe == nil || hwe.Kernel.Release != "6.5.0-14-generic" || hwe.Kernel.VersionID != "22.04" {
		t.Errorf("aliases %+v", m.Aliases())
	}
}

// TestFixtureTampered: a bad signature, a wrong key, a changed index and a
// missing signature are hard errors naming the file.
func TestFixtureTampered(t *testing.T) {
	other := aptfixture.New(t)
	otherKey, err := apt.LoadKeyring(other.Keyring)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		desc   string
		change func(t *testing.T, fx *aptfixture.Mirror, m *apt.Mirror)
		want   error
		names  string
	}{
		{"InRelease edited", func(t *testing.T, fx *aptfixture.Mirror, m *apt.Mirror) {
			edit(t, filepath.Join(fx.Dir, "dists/jammy/InRelease"), "Version: 22.04", "Version: 22.10")
		}, apt.ErrSignature, "dists/jammy/InRelease"},
		{"wrong keyring", func(t *testing.T, fx *aptfixture.Mirror, m *apt.Mirror) { m.Keyring = otherKey }, apt.ErrSignature, "dists/bionic/InRelease"},
		{"Packages.xz replaced", func(t *testing.T, fx *aptfixture.Mirror, m *apt.Mirror) {
			p := filepath.Join(fx.Dir, "dists/noble/main/binary-amd64/Packages.xz")
			b, _ := os.ReadFile(filepath.Join(fx.Dir, "dists/jammy/main/binary-amd64/Packages.xz"))
			os.WriteFile(p, b, 0o644)
		}, apt.ErrHash, "dists/noble/main/binary-amd64/Packages.xz"},
		{"Release without InRelease or Release.gpg", func(t *testing.T, fx *aptfixture.Mirror, m *apt.Mirror) {
			os.Remove(filepath.Join(fx.Dir, "dists/jammy-security/InRelease"))
			os.Remove(filepath.Join(fx.Dir, "dists/jammy-security/Release.gpg"))
		}, nil, "dists/jammy-security/Release is not signed"},
		{"Release.gpg of another Release", func(t *testing.T, fx *aptfixture.Mirror, m *apt.Mirror) {
			os.Remove(filepath.Join(fx.Dir, "dists/jammy-security/InRelease"))
			edit(t, filepath.Join(fx.Dir, "dists/jammy-security/Release"), "Suite: jammy-security", "Suite: jammy-securitx")
		}, apt.ErrSignature, "dists/jammy-security/Release"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			fx, m := fixtureMirror(t)
			tc.change(t, fx, m)
			_, err := m.Kernels(context.Background())
			if err == nil || tc.want != nil && !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.names) {
				t.Fatalf("err = %v, want %v naming %s", err, tc.want, tc.names)
			}
			t.Log(err)
		})
	}
	// Release + Release.gpg alone (no InRelease) is fine.
	fx, m := fixtureMirror(t)
	os.Remove(filepath.Join(fx.Dir, "dists/jammy/InRelease"))
	if _, err := m.Kernels(context.Background()); err != nil {
		t.Errorf("Release + Release.gpg: %v", err)
	}
}

func edit(t *testing.T, path, old, repl string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(b), old) {
		t.Fatalf("edit %s: %v", path, err)
	}
	os.WriteFile(path, []byte(strings.Replace(string(b), old, repl, 1)), 0o644)
}

// TestFixtureRecrawl: with a cache, a re-crawl of unchanged suites fetches
// only their InRelease files, still verified; a changed suite is read again.
func TestFixtureRecrawl(t *testing.T) {
	fx := aptfixture.Ubuntu(t, nil)
	var gets []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gets = append(gets, r.URL.Path)
		http.FileServer(http.Dir(fx.Dir)).ServeHTTP(w, r)
	}))
	defer srv.Close()
	kr, _ := apt.LoadKeyring(fx.Keyring)
	m := &apt.Mirror{URI: srv.URL, Suites: ubuntuSuites, Arches: []string{"amd64", "arm64"}, Keyring: kr, CacheDir: t.TempDir()}
	first, err := m.Kernels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	gets = nil
	again, err := m.Kernels(context.Background())
	if err != nil || len(again) != len(first) || len(m.Aliases()) == 0 {
		t.Fatalf("re-crawl: %d kernels (first %d), %d aliases, %v", len(again), len(first), len(m.Aliases()), err)
	}
	for _, g := range gets {
		if !strings.HasSuffix(g, "/InRelease") {
			t.Errorf("re-crawl fetched %s", g)
		}
	}
	edit(t, filepath.Join(fx.Dir, "dists/noble/InRelease"), "Codename: noble", "Codename: noblx")
	if _, err := m.Kernels(context.Background()); !errors.Is(err, apt.ErrSignature) {
		t.Errorf("re-crawl of a tampered InRelease: %v", err)
	}
}
