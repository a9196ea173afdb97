package aptfixture

import (
	"archive/tar"
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// File is one file of a .deb's data.tar.
type File struct {
	Path string // relative: ./boot/vmlinuz-6.1.0-57-cloud-amd64
	Data []byte
}

// Deb builds a binary package as dpkg-deb does for Ubuntu: ar with
// debian-binary, control.tar.zst and data.tar.zst.
func Deb(control string, files ...File) ([]byte, error) {
	ctl, err := tarball(File{Path: "./control", Data: []byte(control)})
	if err != nil {
		return nil, err
	}
	data, err := tarball(files...)
	if err != nil {
		return nil, err
	}
	zctl, err := zst(ctl)
	if err != nil {
		return nil, err
	}
	zdata, err := zst(data)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("!<arch>\n")
	for _, m := range []struct {
		name string
		data []byte
	}{{"debian-binary", []byte("2.0\n")}, {"control.tar.zst", zctl}, {"data.tar.zst", zdata}} {
		fmt.Fprintf(&b, "%-16s%-12d%-6d%-6d%-8s%-10d`\n", m.name, 0, 0, 0, "100644", len(m.data))
		b.Write(m.data)
		if len(m.data)%2 == 1 {
			b.WriteByte('\n')
		}
	}
	return b.Bytes(), nil
}

// tarball writes files, with their parent directories, into a tar.
func tarball(files ...File) ([]byte, error) {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	var dirs []string
	for _, f := range files {
		p := strings.TrimPrefix(f.Path, "./")
		for i := strings.Index(p, "/"); i >= 0; i = nextSlash(p, i) {
			if d := "./" + p[:i+1]; !slices.Contains(dirs, d) {
				dirs = append(dirs, d)
				if err := tw.WriteHeader(&tar.Header{Name: d, Mode: 0o755, Typeflag: tar.TypeDir}); err != nil {
					return nil, err
				}
			}
		}
		if err := tw.WriteHeader(&tar.Header{Name: "./" + p, Mode: 0o644, Size: int64(len(f.Data)), Typeflag: tar.TypeReg}); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.Data); err != nil {
			return nil, err
		}
	}
	return b.Bytes(), tw.Close()
}

func nextSlash(p string, i int) int {
	j := strings.Index(p[i+1:], "/")
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

func zst(b []byte) ([]byte, error) {
	var out bytes.Buffer
	w, err := zstd.NewWriter(&out, zstd.WithEncoderLevel(zstd.SpeedFastest))
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
