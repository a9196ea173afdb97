package containerdtest

import (
	"archive/tar"
	"bytes"
	"context"
	"debug/elf"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/probehub/probehub/internal/testutil"
)

// Busybox is Debian's static busybox (package busybox-static), the one
// binary of the images built here.
const Busybox = "/bin/busybox"

// Applets are linked to busybox in the images' /bin.
var Applets = []string{"sh", "cat", "sleep", "true", "ls", "debugfs", "cp", "nc", "arping", "insmod", "unshare"}

// File is a regular file an image carries besides busybox.
type File struct {
	Data []byte
	Mode int64
}

// BusyboxImage builds a one-layer OCI image for this machine's
// architecture: /bin/busybox and its Applets, the files given (path
// without the leading "/" → File), cmd as its command, and a Docker
// HEALTHCHECK running /bin/true.
func BusyboxImage(tb testing.TB, cmd []string, files map[string]File) v1.Image {
	tb.Helper()
	bb, err := os.ReadFile(Busybox)
	if err != nil {
		testutil.SkipOrFail(tb, "static busybox: "+err.Error()+": run `make setup` (busybox-static)")
	}
	if !static(Busybox) {
		testutil.SkipOrFail(tb, Busybox+" is not statically linked: install busybox-static (`make setup`)")
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	mod := time.Unix(0, 0)
	write := func(h *tar.Header, data []byte) {
		h.ModTime, h.Uname, h.Gname = mod, "root", "root"
		if err := tw.WriteHeader(h); err != nil {
			tb.Fatal(err)
		}
		if _, err := tw.Write(data); err != nil {
			tb.Fatal(err)
		}
	}
	dirs := map[string]bool{}
	mkdirs := func(p string) {
		var chain []string
		for d := filepath.Dir(p); d != "." && !dirs[d]; d = filepath.Dir(d) {
			chain = append(chain, d)
			dirs[d] = true
		}
		for i := len(chain) - 1; i >= 0; i-- {
			write(&tar.Header{Typeflag: tar.TypeDir, Name: chain[i] + "/", Mode: 0o755}, nil)
		}
	}
	for _, d := range []string{"bin", "etc", "proc", "sys", "dev", "tmp"} {
		mkdirs(d + "/x")
	}
	write(&tar.Header{Typeflag: tar.TypeReg, Name: "bin/busybox", Mode: 0o755, Size: int64(len(bb))}, bb)
	for _, a := range Applets {
		write(&tar.Header{Typeflag: tar.TypeSymlink, Name: "bin/" + a, Linkname: "busybox", Mode: 0o777}, nil)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		f := files[n]
		mkdirs(n)
		write(&tar.Header{Typeflag: tar.TypeReg, Name: n, Mode: f.Mode, Size: int64(len(f.Data))}, f.Data)
	}
	if err := tw.Close(); err != nil {
		tb.Fatal(err)
	}
	layerTar := buf.Bytes()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(layerTar)), nil },
		tarball.WithMediaType(types.OCILayer))
	if err != nil {
		tb.Fatal(err)
	}
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	if img, err = mutate.AppendLayers(img, layer); err != nil {
		tb.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		tb.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", runtime.GOARCH
	cf.Config.Cmd = cmd
	cf.Config.Env = []string{"PATH=/bin"}
	cf.Config.Healthcheck = &v1.HealthConfig{Test: []string{"CMD", "/bin/true"}, Interval: 30 * time.Second}
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		tb.Fatal(err)
	}
	return img
}

// Import writes img as an OCI archive named ref (and repo@digest) and imports it into
// containerd's CRI namespace with ctr (unpacked for the CRI snapshotter),
// then waits until the CRI image service knows it.
func (r *Runtime) Import(ctx context.Context, ref string, img v1.Image) {
	tb := r.tb
	tb.Helper()
	dir, err := os.MkdirTemp(r.Dir, "image")
	if err != nil {
		tb.Fatal(err)
	}
	defer os.RemoveAll(dir)
	p, err := layout.Write(filepath.Join(dir, "layout"), empty.Index)
	if err != nil {
		tb.Fatal(err)
	}
	// A pull records the image under its name and under repo@digest
	// (CRI then reports that as the container's image ref): so does this
	// import.
	dg, err := img.Digest()
	if err != nil {
		tb.Fatal(err)
	}
	named, err := name.ParseReference(ref)
	if err != nil {
		tb.Fatalf("image name %q: %v", ref, err)
	}
	for _, n := range []string{ref, named.Context().Name() + "@" + dg.String()} {
		if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{"io.containerd.image.name": n})); err != nil {
			tb.Fatal(err)
		}
	}
	archive := filepath.Join(dir, "image.tar")
	if err := tarDir(filepath.Join(dir, "layout"), archive); err != nil {
		tb.Fatal(err)
	}
	out, err := exec.CommandContext(ctx, r.ctr, "--address", r.Socket, "--namespace", Namespace,
		"images", "import", "--snapshotter", r.Snapshotter, archive).CombinedOutput()
	if err != nil {
		tb.Fatalf("ctr images import %s: %v\n%s\ncontainerd log:\n%s", ref, err, out, r.log)
	}
	for {
		st, err := r.Images.ImageStatus(ctx, &runtimeapi.ImageStatusRequest{Image: &runtimeapi.ImageSpec{Image: ref}})
		if err == nil && st.Image != nil {
			return
		}
		select {
		case <-ctx.Done():
			tb.Fatalf("CRI does not see image %s after import: %v", ref, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// tarDir writes the tree at dir as an uncompressed tar archive at out.
func tarDir(dir, out string) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(f)
	err = tw.AddFS(os.DirFS(dir))
	if cerr := tw.Close(); err == nil {
		err = cerr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// static reports whether the ELF file at path asks for no interpreter.
func static(path string) bool {
	f, err := elf.Open(path)
	if err != nil {
		return false
	}
	defer func() { _ = f.Close() }()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return false
		}
	}
	return true
}
