package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A component that fails after run started (a listener that cannot bind, a
// TLS file that does not load) ends run with its error and a non-zero exit,
// also while capture would keep running.
func TestRunStopsWhenAComponentFails(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dir := t.TempDir()
	missing, token := filepath.Join(dir, "missing.pem"), filepath.Join(dir, "token")
	if err := os.WriteFile(token, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		desc string
		args []string
		want string
	}{
		{"metrics port in use", []string{"--metrics-listen", ln.Addr().String()}, "address already in use"},
		{"audit port in use", []string{"--metrics-listen", "", "--k8s-audit-listen", ln.Addr().String(),
			"--k8s-audit-token-file", token}, "address already in use"},
		// Checked before anything starts (no "component failed" line then).
		{"audit TLS file missing", []string{"--metrics-listen", "", "--k8s-audit-listen", "127.0.0.1:0",
			"--k8s-audit-token-file", token, "--k8s-audit-tls-cert", missing, "--k8s-audit-tls-key", missing}, "missing.pem"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			// --duration only bounds a broken run; the assertion is the exit code.
			args := append([]string{"run", "--no-capture", "--no-cri", "--rules", minimalRules(t), "--duration", "2m"}, tc.args...)
			out, code := runCLI(t, nil, args...)
			if code == 0 || !strings.Contains(out, tc.want) {
				t.Fatalf("exit %d, output %q: want non-zero and %q", code, out, tc.want)
			}
		})
	}
}

// watch keeps reading the components' errors while the capture runs, and
// stops the capture before returning one.
func TestWatchWhileCapturing(t *testing.T) {
	errc := make(chan error, 1)
	boom := errors.New("boom")
	stopped := false
	err := watch(context.Background(), slog.New(slog.DiscardHandler), errc, func(ctx context.Context) error {
		errc <- boom // a component fails while capture runs
		<-ctx.Done()
		stopped = true
		return nil
	})
	if !errors.Is(err, boom) || !stopped {
		t.Fatalf("watch = %v, capture stopped %v: want boom after the capture stopped", err, stopped)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := watch(ctx, slog.New(slog.DiscardHandler), make(chan error), func(ctx context.Context) error {
		<-ctx.Done()
		return nil
	}); err != nil {
		t.Fatalf("watch on a finished context = %v, want nil", err)
	}
}

func TestVersionFlag(t *testing.T) {
	out, code := runCLI(t, nil, "--version")
	if code != 0 || !strings.HasPrefix(out, "probehub-sensor ") || !strings.Contains(out, "probes ") {
		t.Fatalf("--version: exit %d, %q", code, out)
	}
}
