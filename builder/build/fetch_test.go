package build

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/probehub/probehub/kernels"
)

func TestFetch(t *testing.T) {
	body := []byte("a kernel package")
	sum := sha256.Sum256(body)
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		w.Write(body)
	}))
	defer srv.Close()
	f := &Fetcher{Dir: t.TempDir()}
	pkg := kernels.Package{URL: srv.URL + "/pool/linux-image-6.1.0-9-amd64_6.1.27-1_amd64.deb", SHA256: hex.EncodeToString(sum[:])}
	for range 2 {
		p, err := f.Fetch(context.Background(), pkg)
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(p); string(b) != string(body) {
			t.Fatalf("got %q", b)
		}
	}
	if hits != 1 {
		t.Errorf("%d downloads, want 1 (cached)", hits)
	}
	pkg.SHA256 = "00"
	pkg.URL += "x"
	if _, err := f.Fetch(context.Background(), pkg); err == nil {
		t.Error("no error on a sha256 mismatch")
	}
}

// TestInputBTFSources: the input of a catalog kernel comes from its image
// (built-in BTF), else the btfhub-archive file its crawl recorded, else its
// debug package, else nothing, with the true reason.
func TestInputBTFSources(t *testing.T) {
	hub := t.TempDir()
	k := kernels.Key{Distro: "ubuntu", VersionID: "18.04", Arch: "x86_64", Release: "5.4.0-100-generic"}
	p := filepath.Join(hub, "ubuntu", "18.04", "x86_64", "5.4.0-100-generic.btf.tar.xz")
	os.MkdirAll(filepath.Dir(p), 0o755)
	os.WriteFile(p, []byte("x"), 0o644)
	f := &Fetcher{Dir: t.TempDir()}
	img := &kernels.Package{Name: "linux-image-unsigned-5.4.0-100-generic", URL: "http://example.invalid/i.deb"}
	dbg := &kernels.Package{Name: "linux-image-unsigned-5.4.0-100-generic-dbgsym", URL: "http://example.invalid/d.ddeb"}
	for _, tc := range []struct {
		desc  string
		k     kernels.Kernel
		path  string // want Input.Path
		fetch bool   // want Input.Fetch
		noBTF string // substring of Input.NoBTF
	}{
		{"built-in: the image", kernels.Kernel{Key: k, BTF: kernels.BTFBuiltin, Packages: kernels.Packages{Image: img}}, "", true, ""},
		{"btfhub entry of the crawl", kernels.Kernel{Key: k, BTF: kernels.BTFHub, Sources: []string{"btfhub:" + hub}, Packages: kernels.Packages{Image: img, Debug: dbg}}, p, false, ""},
		{"debug package", kernels.Kernel{Key: k, BTF: kernels.BTFDWARF, Packages: kernels.Packages{Image: img, Debug: dbg}}, "", true, ""},
		{"nothing", kernels.Kernel{Key: k, BTF: kernels.BTFNone}, "", false, "no BTF source"},
		{"built-in without an image", kernels.Kernel{Key: k, BTF: kernels.BTFBuiltin}, "", false, "no image package known"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			in := f.Input(tc.k)
			if in.Path != tc.path || (in.Fetch != nil) != tc.fetch || !strings.Contains(in.NoBTF, tc.noBTF) {
				t.Errorf("input %+v", in)
			}
		})
	}
}

// TestFetchAlternateOn404: when the first image package a catalog names is
// not in the pool, the next one is fetched.
func TestFetchAlternateOn404(t *testing.T) {
	raw, err := os.ReadFile("/sys/kernel/btf/vmlinux")
	if err != nil {
		t.Skipf("no kernel BTF: %v", err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/6.18.0-9-amd64.btf") {
			w.Write(raw)
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	sum := sha256.Sum256(raw)
	f := &Fetcher{Dir: t.TempDir(), Hashes: map[string]string{"missing.deb": "00", "6.18.0-9-amd64.btf": hex.EncodeToString(sum[:])}}
	k := kernels.Kernel{Key: kernels.Key{Distro: "debian", VersionID: "12", Arch: "x86_64", Release: "6.18.0-9-amd64"}, BTF: kernels.BTFBuiltin,
		Packages: kernels.Packages{Image: &kernels.Package{Name: "a", URL: srv.URL + "/missing.deb"},
			Alternates: []kernels.Package{{Name: "b", URL: srv.URL + "/also-missing.deb"}, {Name: "c", URL: srv.URL + "/6.18.0-9-amd64.btf"}}}}
	cfg := testConfig(t, t.TempDir())
	cfg.Inputs = []Input{f.Input(k)}
	s, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if r := s.Results[0]; r.Error != "" || r.BTFSHA256 == "" {
		t.Errorf("result %s %q", r.Status, r.Error)
	}
}

// TestFetchUnverified: a package without a sha256 in the catalog (a
// kernel-crawler entry) is checked against the hash a signed index lists
// for the same file, refused before any download when none does, and
// downloaded unchecked only when allowed.
func TestFetchUnverified(t *testing.T) {
	body := []byte("an Ubuntu kernel package")
	sum := sha256.Sum256(body)
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		w.Write(body)
	}))
	defer srv.Close()
	const file = "linux-image-unsigned-5.15.0-50-generic_5.15.0-50.56_amd64.deb"
	pkg := kernels.Package{Name: "linux-image-unsigned-5.15.0-50-generic", Version: "5.15.0-50.56",
		URL: srv.URL + "/ubuntu/pool/main/l/linux/" + file, NoSHA256: "kernel-crawler lists no sha256"}
	ctx := context.Background()
	for _, tc := range []struct {
		desc    string
		hashes  map[string]string
		allow   bool
		wantErr error
		hits    int
	}{
		{"no hash anywhere: refused, nothing downloaded", nil, false, ErrUnverified, 0},
		{"hash of another file: refused", map[string]string{"linux-modules-5.15.0-50-generic_5.15.0-50.56_amd64.deb": "aa"}, false, ErrUnverified, 0},
		{"the signed index's hash matches", map[string]string{file: hex.EncodeToString(sum[:])}, false, nil, 1},
		{"the signed index's hash differs", map[string]string{file: strings.Repeat("0", 64)}, false, ErrHash, 1},
		{"allowed unverified", nil, true, nil, 1},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			hits = 0
			f := &Fetcher{Dir: t.TempDir(), Hashes: tc.hashes, AllowUnverified: tc.allow}
			if got := f.Unverified(pkg); got != (tc.hashes[file] == "") {
				t.Errorf("Unverified = %v", got)
			}
			p, err := f.Fetch(ctx, pkg)
			if !errors.Is(err, tc.wantErr) || (err == nil) != (tc.wantErr == nil) {
				t.Fatalf("Fetch: %v, want %v", err, tc.wantErr)
			}
			if hits != tc.hits {
				t.Errorf("%d downloads, want %d", hits, tc.hits)
			}
			if err != nil {
				if !strings.Contains(err.Error(), file) && !strings.Contains(err.Error(), pkg.URL) {
					t.Errorf("error names neither the file nor its URL: %v", err)
				}
				if ents, _ := os.ReadDir(f.Dir); len(ents) != 0 {
					t.Errorf("left in the cache after a refusal: %v", ents)
				}
				return
			}
			if b, _ := os.ReadFile(p); string(b) != string(body) {
				t.Errorf("got %q", b)
			}
		})
	}
}
