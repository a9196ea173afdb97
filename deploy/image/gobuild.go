package image

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// binary is one Go program built into an image.
type binary struct {
	Pkg  string // package path relative to the module root, "./cmd/probehub"
	Name string // file name under /usr/bin
	CGO  bool   // built with cgo (dynamically linked against glibc)
}

// goBuild builds b for p into dir and returns the binary's path. Cross
// builds with cgo need the target's GNU C compiler (TRIPLET-gcc) on PATH.
func goBuild(ctx context.Context, src string, b binary, p Platform, version, dir string) (string, error) {
	out := filepath.Join(dir, p.OS+"-"+p.Arch, b.Name)
	ldflags := "-s -w -buildid="
	if version != "" {
		ldflags += " -X github.com/probehub/probehub/internal/version.Version=" + version
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-buildvcs=false", "-ldflags", ldflags, "-o", out, b.Pkg)
	cmd.Dir = src
	env, err := buildEnv(b, p)
	if err != nil {
		return "", err
	}
	cmd.Env = append(os.Environ(), env...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s for %s: %w\n%s", b.Pkg, p, err, msg)
	}
	return out, nil
}

// buildEnv returns the environment of one build. cgo builds silence the
// deprecation warnings go-nvml's preamble triggers in nvml.h.
func buildEnv(b binary, p Platform) ([]string, error) {
	env := []string{"GOOS=" + p.OS, "GOARCH=" + p.Arch, "GOFLAGS=-mod=readonly"}
	if !b.CGO {
		return append(env, "CGO_ENABLED=0"), nil
	}
	env = append(env, "CGO_ENABLED=1",
		"CGO_CFLAGS="+strings.TrimSpace(os.Getenv("CGO_CFLAGS")+" -O2 -g -Wno-deprecated-declarations"))
	if p.Arch == runtime.GOARCH {
		return env, nil
	}
	cc := p.triplet() + "-gcc"
	if _, err := exec.LookPath(cc); err != nil {
		return nil, fmt.Errorf("build %s for %s: cgo (NVML) needs the cross compiler %s: apt-get install gcc-%s libc6-dev-%s-cross", b.Name, p, cc, strings.ReplaceAll(p.triplet(), "_", "-"), p.debArch())
	}
	return append(env, "CC="+cc), nil
}
