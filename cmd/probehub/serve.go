package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/probehub/probehub/compat"
	"github.com/probehub/probehub/internal/limit"
	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/registry"
	"github.com/spf13/cobra"
)

type serveFlags struct {
	listen, registry, tokenFile, buildDir, matrixDir, buildCommand string
	metricsTokenFile                                               string
	refresh                                                        time.Duration
	maxInFlight                                                    int
	timeouts                                                       limit.Timeouts
}

func newServeCmd(g *globalFlags) *cobra.Command {
	f := &serveFlags{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the compatibility API and the kernel matrix page",
		Long: `serve answers "will the sensor run on this kernel, with what, and was it tested?"
over HTTP, from what the build side wrote in the data directory: the kernel
catalog (catalog.json), the build results (--build-dir), the kernel-matrix
results (--matrix-dir) and the published artifact index (--registry).

Endpoints: POST /v1/resolve, GET /v1/kernels[/{key}], /v1/probes, /v1/matrix,
the HTML matrix at /, /openapi.json, /healthz, /readyz, /metrics. Writes
(POST /v1/builds, POST /v1/catalog/refresh) are off unless --token-file names a
file holding a bearer token; the token is never logged.

Examples:
  # serve the embedded default (data/ and its OCI layout) on loopback
  probehub serve

  # ask it about a node
  curl -s localhost:8080/v1/resolve -d '{"distro":"ubuntu","version_id":"22.04",
    "arch":"x86_64","release":"5.15.0-91-generic","proc_version":"'"$(cat /proc/version)"'"}'

  # serve a registry's index, with writes enabled, on every interface
  probehub serve --listen :8080 --registry ghcr.io/acme/probehub-btf \
    --token-file /run/secrets/probehub-token`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runServe(cmd.Context(), g, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.listen, "listen", "127.0.0.1:8080", "address to listen on (host:port)")
	fl.StringVar(&f.registry, "registry", "", `artifact store: layout:PATH or REGISTRY/REPO (default "layout:<data-dir>/oci")`)
	fl.StringVar(&f.tokenFile, "token-file", "", "file holding the bearer token that enables writes (default: writes off)")
	fl.StringVar(&f.metricsTokenFile, "metrics-token-file", "", "file holding a bearer token that GET /metrics requires (default: /metrics open; /healthz and /readyz stay open)")
	fl.StringVar(&f.buildDir, "build-dir", "", `build output directory (default "<data-dir>/build")`)
	fl.StringVar(&f.matrixDir, "matrix-dir", "", `kernel-matrix results directory (default "<data-dir>/matrix")`)
	fl.StringVar(&f.buildCommand, "build-command", "", "command run for each POST /v1/builds, with PROBEHUB_KERNEL and PROBEHUB_PROBE set (default: builds answer 501)")
	fl.DurationVar(&f.refresh, "refresh", 5*time.Minute, "reread the sources this often (0: only on POST /v1/catalog/refresh)")
	fl.IntVar(&f.maxInFlight, "max-in-flight", compat.DefaultMaxInFlight, "requests handled at once; one more is answered 503 with Retry-After at once (/healthz and /readyz are never limited); -1: no limit")
	t := &f.timeouts
	*t = compat.DefaultTimeouts
	fl.DurationVar(&t.ReadHeader, "read-header-timeout", t.ReadHeader, "time a client has to send its request headers")
	fl.DurationVar(&t.Read, "read-timeout", t.Read, "time a client has to send its whole request; a body still arriving then is answered 408 (logged at WARN)")
	fl.DurationVar(&t.Write, "write-timeout", t.Write, "time the server has to write an answer")
	fl.DurationVar(&t.Idle, "idle-timeout", t.Idle, "how long an idle keep-alive connection is kept")
	return cmd
}

func runServe(ctx context.Context, g *globalFlags, f *serveFlags) error {
	log := g.logger()
	src, err := serveSources(g, f)
	if err != nil {
		return err
	}
	token, err := readToken(f.tokenFile)
	if err != nil {
		return err
	}
	metricsToken, err := readToken(f.metricsTokenFile)
	if err != nil {
		return err
	}
	var s *compat.Server
	cfg := compat.Config{Sources: src, Token: token, MetricsToken: metricsToken, Logger: log, MaxInFlight: f.maxInFlight, Timeouts: f.timeouts}
	if f.buildCommand != "" {
		cfg.Build = func(ctx context.Context, k kernels.Key, probe string) error {
			if err := runBuildCommand(ctx, f.buildCommand, k, probe); err != nil {
				return err
			}
			return s.Refresh(ctx)
		}
	}
	s = compat.New(cfg)
	if err := s.Refresh(ctx); err != nil {
		// A catalog that is there but unreadable is the user's to fix: stop
		// (a missing one is an empty catalog, an unreachable registry may
		// come back: those keep serving with /readyz 503).
		if errors.Is(err, kernels.ErrBadCatalog) {
			return err
		}
		log.Error("initial refresh failed; /readyz answers 503 until one succeeds", "err", err)
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (pick another with --listen)", f.listen, err)
	}
	log.Info("serving", "addr", ln.Addr().String(), "writes", token != "", "max_in_flight", f.maxInFlight, "read_timeout", f.timeouts.Read.String())
	go refreshLoop(ctx, s, f.refresh, log)
	return s.Serve(ctx, ln)
}

func serveSources(g *globalFlags, f *serveFlags) (compat.Sources, error) {
	spec := f.registry
	if spec == "" {
		spec = "layout:" + filepath.Join(g.dataDir, "oci")
	}
	store, err := registry.Open(spec)
	if err != nil {
		return compat.Sources{}, fmt.Errorf("open registry %s: %w (want layout:PATH or REGISTRY/REPO)", spec, err)
	}
	reg := compat.RegistryIndex{Store: store, Repo: store.String()}
	return compat.Sources{
		Catalog:   compat.CatalogFile(filepath.Join(g.dataDir, kernels.CatalogFile)),
		Verdicts:  compat.VerdictSources{reg, compat.BuildDir(orDefault(f.buildDir, g.dataDir, "build"))},
		Artifacts: reg,
		Evidence:  compat.MatrixDir(orDefault(f.matrixDir, g.dataDir, "matrix")),
	}, nil
}

func orDefault(v, dataDir, name string) string {
	if v != "" {
		return v
	}
	return filepath.Join(dataDir, name)
}

// readToken reads the bearer token, refusing an empty or world-readable file.
func readToken(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("read token file: %w", err)
	}
	if st.Mode().Perm()&0o004 != 0 {
		return "", fmt.Errorf("token file %s is world-readable: chmod o-r it", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read token file: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if len(tok) < 16 {
		return "", errors.New("token file holds fewer than 16 characters: use a long random token (openssl rand -hex 32)")
	}
	return tok, nil
}

func runBuildCommand(ctx context.Context, command string, k kernels.Key, probe string) error {
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", command)
	cmd.Env = append(os.Environ(), "PROBEHUB_KERNEL="+k.String(), "PROBEHUB_PROBE="+probe)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("run build command for %s: %w: %s", k, err, lastLine(out))
	}
	return nil
}

func lastLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	return s[strings.LastIndexByte(s, '\n')+1:]
}

func refreshLoop(ctx context.Context, s *compat.Server, every time.Duration, log *slog.Logger) {
	if every <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.Refresh(ctx); err != nil {
				log.Warn("refresh failed; serving the previous index", "err", err)
			}
		}
	}
}
