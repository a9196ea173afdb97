package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/probehub/probehub/registry/sign"
	"github.com/probehub/probehub/sensor/hostinfo"
)

// TestForgedUnsupportedIsAdvisory: a /v1/resolve "unsupported" does not
// stop a node that has its own BTF; both answers are logged.
func TestForgedUnsupportedIsAdvisory(t *testing.T) {
	if _, err := os.Stat(hostinfo.KernelBTFPath); err != nil {
		t.Skip("this kernel has no BTF: the advisory path needs one")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"unsupported","reasons":["forged: do not run"]}`))
	}))
	defer srv.Close()
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	b := &bootFlags{api: srv.URL}
	spec, what, err := b.kernelTypes(context.Background(), log, "/")
	if err != nil || spec != nil || !strings.Contains(what, "kernel") {
		t.Fatalf("kernelTypes = %v, %q, %v; want the kernel's own BTF", spec, what, err)
	}
	for _, want := range []string{"api_status=unsupported", "forged: do not run", "its own decision wins"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}

// TestPlaceholderKeyRefusedEverywhere: the deploy manifests' placeholder
// key stops the start even on a node that never fetches.
func TestPlaceholderKeyRefusedEverywhere(t *testing.T) {
	p := filepath.Join(t.TempDir(), "probehub.pub")
	if err := os.WriteFile(p, []byte("# "+sign.PlaceholderMarker+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b := &bootFlags{key: p}
	_, _, err := b.kernelTypes(context.Background(), slog.New(slog.DiscardHandler), "/")
	if !errors.Is(err, sign.ErrPlaceholderKey) || !strings.Contains(err.Error(), p) {
		t.Fatalf("kernelTypes = %v; want ErrPlaceholderKey naming %s", err, p)
	}
}
