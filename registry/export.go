package registry

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ulikunitz/xz"
)

// ExportBTFHub writes every kernel of probe version v's index as a
// btfhub-archive tree under dir: ID/VERSION_ID/ARCH/RELEASE.btf.tar.xz, each
// an xz tar holding RELEASE.btf (the minimized BTF), as Tracee and Inspektor
// Gadget read it. Each artifact is pulled and verified with o first. It
// returns the number of files written.
func ExportBTFHub(ctx context.Context, r Reader, v, dir string, o PullOptions) (int, error) {
	ix, _, err := ReadIndex(ctx, r, v)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range ix.Kernels {
		k, err := PullKernel(ctx, r, e.Digest, o)
		if err != nil {
			return n, err
		}
		if err := k.Check(e.Kernel, e.Banner); err != nil {
			return n, err
		}
		key := e.Kernel
		path := filepath.Join(dir, key.Distro, key.VersionID, key.Arch, key.Release+".btf.tar.xz")
		b, err := btfTarXZ(key.Release+".btf", k.BTF)
		if err != nil {
			return n, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return n, fmt.Errorf("export %s: %w", key, err)
		}
		if err := writeFileAtomic(path, b); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func btfTarXZ(name string, btf []byte) ([]byte, error) {
	var buf bytes.Buffer
	xw, err := xz.NewWriter(&buf)
	if err != nil {
		return nil, err
	}
	tw := tar.NewWriter(xw)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(btf)), Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
		return nil, err
	}
	if _, err := tw.Write(btf); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := xw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
