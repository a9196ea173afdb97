package extract

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// paholeBTF encodes the DWARF of a vmlinux as detached BTF with pahole
// (dwarves ≥ 1.22 for --btf_encode_detached). The vmlinux is written to a
// temporary directory, which is removed.
func paholeBTF(ctx context.Context, pahole string, vmlinux []byte) ([]byte, error) {
	bin, err := exec.LookPath(pahole)
	if err != nil {
		return nil, failf(StagePahole, "look up %s: %w", pahole, ErrPaholeMissing)
	}
	dir, err := os.MkdirTemp("", "probehub-pahole-")
	if err != nil {
		return nil, fail(StagePahole, err)
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "vmlinux")
	if err := os.WriteFile(in, vmlinux, 0o600); err != nil {
		return nil, fail(StagePahole, fmt.Errorf("write vmlinux: %w", err))
	}
	return paholeFile(ctx, bin, in, dir)
}

// paholeFile runs pahole on the vmlinux at in, writing its BTF into dir.
func paholeFile(ctx context.Context, pahole, in, dir string) ([]byte, error) {
	bin, err := exec.LookPath(pahole)
	if err != nil {
		return nil, failf(StagePahole, "look up %s: %w", pahole, ErrPaholeMissing)
	}
	out := filepath.Join(dir, "vmlinux.btf")
	cmd := exec.CommandContext(ctx, bin, "--btf_encode_detached="+out, in)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, failf(StagePahole, "run %s: %w: %s", bin, err, strings.TrimSpace(stderr.String()))
	}
	raw, err := os.ReadFile(out)
	if errors.Is(err, os.ErrNotExist) {
		return nil, failf(StagePahole, "%s wrote no BTF: %w", bin, ErrNoBTF)
	}
	if err != nil {
		return nil, fail(StagePahole, err)
	}
	return raw, nil
}
