package image

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"path"
	"sort"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// layer returns a gzip'd OCI layer of files, reproducibly: parent
// directories added, entries sorted by name, owner root, every time epoch.
func layer(files []debFile, epoch time.Time) (v1.Layer, error) {
	byName := map[string]debFile{}
	for _, f := range files {
		for d := path.Dir(f.Name); d != "/"; d = path.Dir(d) {
			if _, ok := byName[d]; !ok {
				byName[d] = debFile{Name: d, Mode: 0o755, Type: tar.TypeDir}
			}
		}
		byName[f.Name] = f
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, n := range names {
		f := byName[n]
		h := &tar.Header{Name: n[1:], Mode: f.Mode, Typeflag: f.Type, Linkname: f.Linkname,
			ModTime: epoch, Format: tar.FormatPAX}
		if f.Type == tar.TypeDir {
			h.Name += "/"
		}
		if f.Type == tar.TypeReg {
			h.Size = int64(len(f.Data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, fmt.Errorf("layer: %s: %w", n, err)
		}
		if _, err := tw.Write(f.Data); err != nil {
			return nil, fmt.Errorf("layer: %s: %w", n, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("layer: %w", err)
	}
	b := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil },
		tarball.WithMediaType(types.OCILayer))
}

// accounts are /etc/passwd and /etc/group: root, and nonroot (65532) for
// images that run without privileges.
func accounts() []debFile {
	return []debFile{
		{Name: "/etc/passwd", Mode: 0o644, Type: tar.TypeReg, Data: []byte(
			"root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")},
		{Name: "/etc/group", Mode: 0o644, Type: tar.TypeReg, Data: []byte("root:x:0:\nnonroot:x:65532:\n")},
		{Name: "/etc/nsswitch.conf", Mode: 0o644, Type: tar.TypeReg, Data: []byte("hosts: files dns\n")},
		{Name: "/home/nonroot", Mode: 0o700, Type: tar.TypeDir},
		{Name: "/root", Mode: 0o700, Type: tar.TypeDir},
		{Name: "/tmp", Mode: 0o1777, Type: tar.TypeDir},
	}
}
