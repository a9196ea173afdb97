package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAuditTokenAtStart(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good, empty, blank := write("good", "s3cret\n"), write("empty", ""), write("blank", " \n\t\n")
	inner := write("inner", "two words\n")
	notPEM := write("cert.pem", "not a certificate")
	for _, tc := range []struct {
		description string
		flags       runFlags
		want        string // error substring; "" = token s3cret
	}{
		{"token required", runFlags{auditListen: ":9765"}, "needs --k8s-audit-token-file"},
		{"empty token file", runFlags{auditListen: ":9765", auditTokenFile: empty}, "the token is empty"},
		{"whitespace token file", runFlags{auditListen: ":9765", auditTokenFile: blank}, "the token is empty"},
		{"whitespace inside", runFlags{auditListen: ":9765", auditTokenFile: inner}, "whitespace inside"},
		{"missing token file", runFlags{auditListen: ":9765", auditTokenFile: filepath.Join(dir, "nope")}, "no such file"},
		{"cert without key", runFlags{auditListen: ":9765", auditTokenFile: good, auditCert: notPEM}, "go together"},
		{"bad cert", runFlags{auditListen: ":9765", auditTokenFile: good, auditCert: notPEM, auditKey: notPEM}, "audit webhook TLS: load"},
		{"plain on loopback", runFlags{auditListen: "127.0.0.1:9765", auditTokenFile: good}, ""},
	} {
		t.Run(tc.description, func(t *testing.T) {
			tok, err := auditToken(slog.New(slog.DiscardHandler), &tc.flags)
			if tc.want == "" {
				if err != nil || tok != "s3cret" {
					t.Fatalf("got %q, %v; want s3cret", tok, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestRequireBearer(t *testing.T) {
	h := requireBearer("tok", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }))
	for _, tc := range []struct {
		description, auth string
		want              int
	}{
		{"no header", "", http.StatusUnauthorized},
		{"wrong token", "Bearer nope", http.StatusUnauthorized},
		{"basic auth", "Basic dG9rOg==", http.StatusUnauthorized},
		{"right token", "Bearer tok", http.StatusOK},
	} {
		t.Run(tc.description, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/metrics", nil)
			if tc.auth != "" {
				r.Header.Set("Authorization", tc.auth)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tc.want {
				t.Fatalf("status %d, want %d", w.Code, tc.want)
			}
		})
	}
}
