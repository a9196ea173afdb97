package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/probehub/probehub/compat"
	"github.com/probehub/probehub/compat/api"
	"github.com/probehub/probehub/compat/client"
	"github.com/probehub/probehub/kernels"
)

func serve(t *testing.T) string {
	t.Helper()
	k := kernels.Key{Distro: "ubuntu", VersionID: "22.04", Arch: "x86_64", Release: "5.15.0-91-generic"}
	s := compat.New(compat.Config{Sources: compat.StaticSources(&compat.Static{
		KernelList:   []compat.Kernel{{Key: k, BTF: true}},
		VerdictList:  []compat.Verdict{{Key: k, Probe: "0.1.0", Status: api.Supported}},
		ArtifactList: []compat.Artifact{{Key: k, Probe: "0.1.0", Ref: "r/p@sha256:01", Digest: "sha256:01"}},
	})})
	if err := s.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestResolve(t *testing.T) {
	base := serve(t)
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) }))
	t.Cleanup(down.Close)
	tests := []struct {
		name      string
		url       string
		facts     client.Facts
		want      api.Status
		wantField string
		wantErr   error
	}{
		{name: "supported", url: base, facts: client.Facts{Distro: "ubuntu", VersionID: "22.04", Arch: "x86_64", Release: "5.15.0-91-generic"}, want: api.Supported},
		{name: "unknown", url: base + "/", facts: client.Facts{Distro: "ubuntu", VersionID: "24.04", Arch: "x86_64", Release: "6.8.0"}, want: api.Unknown},
		{name: "bad arch", url: base, facts: client.Facts{Distro: "ubuntu", VersionID: "22.04", Arch: "sparc", Release: "6.8.0"}, wantField: "arch"},
		{name: "5xx", url: down.URL, facts: client.Facts{Distro: "ubuntu"}, wantErr: client.ErrUnavailable},
		{name: "no server", url: "http://127.0.0.1:1", facts: client.Facts{Distro: "ubuntu"}, wantErr: client.ErrUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := client.New(tc.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			a, err := c.Resolve(context.Background(), tc.facts)
			var apiErr *client.Error
			switch {
			case tc.wantErr != nil:
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
			case tc.wantField != "":
				if !errors.As(err, &apiErr) || apiErr.Field != tc.wantField || apiErr.Status != http.StatusBadRequest {
					t.Fatalf("err = %v, want a 400 on field %s", err, tc.wantField)
				}
			case err != nil:
				t.Fatal(err)
			case a.Status != tc.want:
				t.Fatalf("status = %s, want %s", a.Status, tc.want)
			}
		})
	}
}

func TestNewRejectsBadURL(t *testing.T) {
	for _, u := range []string{"", "ftp://x", "localhost:8080", "http://"} {
		if _, err := client.New(u, nil); err == nil {
			t.Errorf("New(%q) = nil error", u)
		}
	}
}
