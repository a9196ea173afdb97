package build

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/probehub/probehub/builder/extract"
	"github.com/probehub/probehub/internal/debcache"
	"github.com/probehub/probehub/kernels"
)

// TestStreamBTF streams a real Debian kernel package (the lz4 cloud
// kernel) from an HTTP server on loopback: the BTF equals the one extracted
// from the file, the package is stored only when asked and only once its
// sha256 matched, and a wrong digest or a cut download yields no BTF.
func TestStreamBTF(t *testing.T) {
	if testing.Short() {
		t.Skip("downloads a real kernel package; not in -short mode")
	}
	ctx := context.Background()
	deb := debcache.Fetch(t, ctx, debcache.Newest(t, ctx, false, `linux-image-6\.1\.0-\d+-cloud-amd64-unsigned`))
	body, err := os.ReadFile(deb)
	if err != nil {
		t.Fatal(err)
	}
	want, err := extract.FromFile(ctx, deb, nil)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	good := hex.EncodeToString(sum[:])
	cut := len(body) * 9 / 10 // past the BTF: only the hash can notice
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := body
		if r.URL.Path == "/cut.deb" {
			// Announce the whole length, send less, close: a download
			// cut short.
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			b = body[:cut]
		}
		w.Write(b)
	}))
	defer srv.Close()
	f := &Fetcher{}

	for _, tc := range []struct {
		desc, path, sum string
		keep            bool
		wantErr         error // nil: want the BTF
		verified        bool
	}{
		{"verified, not kept", "/k.deb", good, false, nil, true},
		{"verified, kept", "/k.deb", good, true, nil, true},
		{"no digest: extracted, not verified", "/k.deb", "", false, nil, false},
		{"wrong digest", "/k.deb", "00" + good[2:], true, ErrHash, false},
		{"cut short", "/cut.deb", good, true, errCut, false},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			keep := ""
			if tc.keep {
				keep = filepath.Join(t.TempDir(), "pkg.deb")
			}
			s, err := f.StreamBTF(ctx, kernels.Package{URL: srv.URL + tc.path, SHA256: tc.sum}, keep)
			if tc.wantErr != nil {
				if err == nil {
					t.Fatalf("no error, result %+v", s)
				}
				if !errors.Is(tc.wantErr, errCut) && !errors.Is(err, tc.wantErr) {
					t.Fatalf("error %v, want %v", err, tc.wantErr)
				}
				if keep != "" {
					if _, serr := os.Stat(keep); serr == nil {
						t.Error("the package was stored after a failure")
					}
					if left, _ := filepath.Glob(filepath.Join(filepath.Dir(keep), "*")); len(left) != 0 {
						t.Errorf("left behind: %v", left)
					}
				}
				return
			}
			if err != nil || s.Err != nil {
				t.Fatalf("stream: %v, %v", err, s.Err)
			}
			if !bytes.Equal(s.Result.BTF, want.BTF) || s.Result.Banner != want.Banner {
				t.Error("streamed BTF or banner differs from the file's")
			}
			if s.Verified != tc.verified || s.SHA256 != good || s.Bytes != int64(len(body)) {
				t.Errorf("verified %v sha256 %s bytes %d", s.Verified, s.SHA256, s.Bytes)
			}
			if tc.keep {
				if b, err := os.ReadFile(keep); err != nil || !bytes.Equal(b, body) {
					t.Errorf("kept package: %v", err)
				}
			}
		})
	}

	t.Run("through Fetch and Extract, not stored", func(t *testing.T) {
		dir := t.TempDir()
		f := &Fetcher{Dir: dir, Stream: true, Discard: true}
		url := srv.URL + "/k.deb"
		p, err := f.Fetch(ctx, kernels.Package{URL: url, SHA256: good})
		if err != nil || p != url {
			t.Fatalf("fetch: %q, %v", p, err)
		}
		res, err := f.Extract(ctx, p)
		if err != nil || !bytes.Equal(res.BTF, want.BTF) {
			t.Fatalf("extract: %v", err)
		}
		if left, _ := os.ReadDir(dir); len(left) != 0 {
			t.Errorf("stored: %v", left)
		}
	})
	t.Run("through Fetch and Extract, stored", func(t *testing.T) {
		dir := t.TempDir()
		f := &Fetcher{Dir: dir, Stream: true}
		p, err := f.Fetch(ctx, kernels.Package{URL: srv.URL + "/k.deb", SHA256: good})
		if err != nil || filepath.Dir(p) != dir {
			t.Fatalf("fetch: %q, %v", p, err)
		}
		if res, err := f.Extract(ctx, p); err != nil || !bytes.Equal(res.BTF, want.BTF) {
			t.Fatalf("extract: %v", err)
		}
		if _, err := f.Fetch(ctx, kernels.Package{URL: srv.URL + "/k.deb", SHA256: "00" + good[2:]}); !errors.Is(err, ErrHash) {
			t.Errorf("a wrong digest for a stored package: %v", err)
		}
	})
}

// errCut stands for any error: a cut download fails on the hash or on the
// short body, whichever the client sees first.
var errCut = errors.New("cut")
