package extract

import (
	"context"
	"debug/elf"
	"fmt"
	"io"
	"os"
	"strings"
)

// maxDebugImage bounds the DWARF vmlinux of a debug package (Debian 6.1's
// is 590 MB).
const maxDebugImage = 2 << 30

// isDebugEntry reports whether a data.tar entry is the DWARF vmlinux of a
// Debian -dbg or Ubuntu -dbgsym package.
func isDebugEntry(name string) bool {
	return strings.HasPrefix(strings.TrimPrefix(name, "./"), "usr/lib/debug/boot/vmlinux-")
}

// fromDebugVmlinux turns the DWARF vmlinux of a debug package into BTF with
// pahole. The vmlinux is too large to hold in memory: it is streamed to a
// temporary file, which pahole and the banner search read.
func fromDebugVmlinux(ctx context.Context, e kernelEntry, opts *Options) (*Result, error) {
	dir, err := os.MkdirTemp("", "probehub-dbg-")
	if err != nil {
		return nil, fail(StagePahole, err)
	}
	defer os.RemoveAll(dir)
	path := dir + "/vmlinux"
	f, err := os.Create(path)
	if err != nil {
		return nil, fail(StagePahole, err)
	}
	n, err := io.Copy(f, io.LimitReader(e.r, e.size))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n != e.size {
		err = fmt.Errorf("%w: %d of %d bytes", ErrTruncated, n, e.size)
	}
	if err != nil {
		return nil, failf(StageTar, "read %s: %w", e.name, err)
	}
	banner, err := fileBanner(path)
	if err != nil {
		return nil, failf(StageELF, "%s: %w", e.name, err)
	}
	raw, err := paholeFile(ctx, opts.pahole(), path, dir)
	if err != nil {
		return nil, err
	}
	res, err := finish(&Result{Input: FormatDeb, Banner: banner, Origin: OriginPahole}, raw, true)
	if err != nil {
		return nil, err
	}
	res.ImagePath = e.name
	return res, nil
}

// fileBanner finds linux_banner in the .rodata of the ELF at path.
func fileBanner(path string) (string, error) {
	f, err := elf.Open(path)
	if err != nil {
		return "", err
	}
	defer func() { _ = f.Close() }() // read only: closing loses nothing
	sec := f.Section(".rodata")
	if sec == nil {
		return "", fmt.Errorf("no .rodata section to find the banner in")
	}
	data, err := sec.Data()
	if err != nil {
		return "", err
	}
	banner, _, _ := findBanner(data)
	return banner, nil
}
