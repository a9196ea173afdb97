// Package btfhub lists and reads a btfhub-archive tree:
// <ID>/<VERSION_ID>/<arch>/<release>.btf.tar.xz, each an xz tar holding
// <release>.btf.
package btfhub

import (
	"archive/tar"
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/probehub/probehub/kernels"
	"github.com/ulikunitz/xz"
)

const suffix = ".btf.tar.xz"

// ErrNotFound is returned by Read for a key the archive lacks.
var ErrNotFound = errors.New("not in btfhub archive")

// Archive is a btfhub-archive checkout on disk.
type Archive struct {
	Dir string
}

var _ kernels.Source = (*Archive)(nil)

// Kernels lists every file of the archive as a kernel with BTF source btfhub.
func (a *Archive) Kernels(ctx context.Context) ([]kernels.Kernel, error) {
	var out []kernels.Kernel
	err := filepath.WalkDir(a.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, suffix) {
			return nil
		}
		rel, _ := filepath.Rel(a.Dir, p)
		parts := strings.Split(filepath.ToSlash(rel), "/")
		if len(parts) != 4 {
			return nil
		}
		k := kernels.Key{Distro: parts[0], VersionID: parts[1], Arch: parts[2], Release: strings.TrimSuffix(parts[3], suffix)}
		if !k.Valid() { // a path that names no kernel is not a kernel's BTF
			return nil
		}
		out = append(out, kernels.Kernel{Key: k, Flavour: kernels.FlavourOf(k.Release), BTF: kernels.BTFHub, Sources: []string{"btfhub:" + a.Dir}})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("walk btfhub archive: %w", err)
	}
	return out, nil
}

// Path returns where the archive keeps k's file.
func (a *Archive) Path(k kernels.Key) (string, error) {
	if err := k.Validate(); err != nil {
		return "", err
	}
	return filepath.Join(a.Dir, k.Distro, k.VersionID, k.Arch, k.Release+suffix), nil
}

// Read returns the raw BTF of k; a missing file wraps ErrNotFound.
func (a *Archive) Read(ctx context.Context, k kernels.Key) ([]byte, error) {
	p, err := a.Path(k)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read %s: %w", k, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", k, err)
	}
	defer func() { _ = f.Close() }() // read only: closing loses nothing
	return ReadBTF(ctx, f)
}

// maxBTF bounds the BTF read from an archive file: a kernel's vmlinux BTF
// is 2–8 MB; more is an xz bomb, not a kernel.
const maxBTF = 64 << 20

// ReadBTF returns the first *.btf file in a .btf.tar.xz stream; one over
// 64 MiB is refused.
func ReadBTF(ctx context.Context, r io.Reader) ([]byte, error) {
	xr, err := xz.NewReader(bufio.NewReader(r))
	if err != nil {
		return nil, fmt.Errorf("open btfhub xz: %w", err)
	}
	tr := tar.NewReader(xr)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		h, err := tr.Next()
		if err == io.EOF {
			return nil, fmt.Errorf("btfhub tar: no *.btf file")
		}
		if err != nil {
			return nil, fmt.Errorf("walk btfhub tar: %w", err)
		}
		if h.Typeflag == tar.TypeReg && strings.HasSuffix(h.Name, ".btf") {
			b, err := io.ReadAll(io.LimitReader(tr, maxBTF+1))
			if err != nil {
				return nil, fmt.Errorf("read btfhub %s: %w", h.Name, err)
			}
			if len(b) > maxBTF {
				return nil, fmt.Errorf("btfhub %s: over %d MiB, not a kernel's BTF", h.Name, maxBTF>>20)
			}
			return b, nil
		}
	}
}
