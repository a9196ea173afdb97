package build

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
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
