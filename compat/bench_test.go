package compat

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkResolve serves POST /v1/resolve in process (router, metrics,
// decoding, validation, lookup, encoding) over a 10,000-kernel catalog.
func BenchmarkResolve(b *testing.B) {
	cat := genCatalog(10_000)
	s := New(Config{Sources: StaticSources(cat)})
	if err := s.Refresh(context.Background()); err != nil {
		b.Fatal(err)
	}
	bodies := genBodies(cat, 256)
	h := s.Handler()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		req := httptest.NewRequest(http.MethodPost, "/v1/resolve", strings.NewReader(bodies[i%len(bodies)]))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

// BenchmarkKernelsPage serves GET /v1/kernels?limit=100 in process.
func BenchmarkKernelsPage(b *testing.B) {
	s := New(Config{Sources: StaticSources(genCatalog(10_000))})
	if err := s.Refresh(context.Background()); err != nil {
		b.Fatal(err)
	}
	h := s.Handler()
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/v1/kernels?limit=100&distro=ubuntu", nil))
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

// BenchmarkRefresh builds the index of a 10,000-kernel catalog.
func BenchmarkRefresh(b *testing.B) {
	s := New(Config{Sources: StaticSources(genCatalog(10_000))})
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Refresh(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
