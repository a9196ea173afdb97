package image

import (
	"archive/tar"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Options configure Build.
type Options struct {
	// Source is the module root to build from. Required.
	Source string
	// Platforms to build. The default is linux/amd64.
	Platforms []Platform
	// Version is stamped into the binaries and the images' labels. The
	// default is none (the binaries say "(devel)").
	Version string
	// CacheDir keeps the Debian base packages and the private apt state.
	// Required.
	CacheDir string
	// Epoch is every file's and the config's time. The default is the Unix
	// epoch (SOURCE_DATE_EPOCH is read by the command, not here).
	Epoch time.Time
	// Refresh re-reads the Debian suite even when the base packages are
	// cached. The default is to use the cache.
	Refresh bool
	// Progress, when set, is told each step.
	Progress func(msg string)
}

// Image is one built multi-arch image.
type Image struct {
	Name  string // probehub-sensor or probehub
	Index v1.ImageIndex
}

// spec describes one of the images.
type spec struct {
	name  string
	bin   binary
	glibc bool
	// keyrings adds Debian's archive keyrings (/usr/share/keyrings), which
	// `probehub kernels crawl` checks apt mirrors' Release files with.
	keyrings bool
	user     string
	cmd      []string
	title    string
}

var specs = []spec{
	{name: "probehub-sensor", bin: binary{Pkg: "./cmd/probehub-sensor", Name: "probehub-sensor", CGO: true}, glibc: true,
		user: "0:0", cmd: []string{"run", "--rules", "/etc/probehub/rules.d"},
		title: "probehub-sensor: eBPF runtime-security sensor (DaemonSet)"},
	{name: "probehub", bin: binary{Pkg: "./cmd/probehub", Name: "probehub"}, keyrings: true,
		user: "65532:65532", cmd: []string{"serve", "--listen", ":8080"},
		title: "probehub: kernel BTF build side and compatibility API"},
}

// Build builds the sensor and server images for every platform.
func Build(ctx context.Context, o Options) ([]Image, error) {
	if o.Source == "" || o.CacheDir == "" {
		return nil, fmt.Errorf("image build: Source and CacheDir are required")
	}
	if len(o.Platforms) == 0 {
		o.Platforms = []Platform{{OS: "linux", Arch: "amd64"}}
	}
	if o.Epoch.IsZero() {
		o.Epoch = time.Unix(0, 0)
	}
	o.Epoch = o.Epoch.UTC()
	tmp, err := os.MkdirTemp("", "probehub-image-")
	if err != nil {
		return nil, fmt.Errorf("image build: %w", err)
	}
	defer os.RemoveAll(tmp)
	b := &builder{o: o, debs: &debs{dir: filepath.Join(o.CacheDir, "image-base"), refresh: o.Refresh}, tmp: tmp}
	var out []Image
	for _, s := range specs {
		idx, err := b.index(ctx, s)
		if err != nil {
			return nil, err
		}
		out = append(out, Image{Name: s.name, Index: idx})
	}
	return out, nil
}

type builder struct {
	o    Options
	debs *debs
	tmp  string
	ca   []byte
	pkgs []string // base package files, for the label
}

func (b *builder) progress(format string, args ...any) {
	if b.o.Progress != nil {
		b.o.Progress(fmt.Sprintf(format, args...))
	}
}

func (b *builder) index(ctx context.Context, s spec) (v1.ImageIndex, error) {
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, p := range b.o.Platforms {
		img, err := b.image(ctx, s, p)
		if err != nil {
			return nil, err
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img,
			Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: p.OS, Architecture: p.Arch}}})
	}
	return idx, nil
}

func (b *builder) image(ctx context.Context, s spec, p Platform) (v1.Image, error) {
	base, pkgs, err := b.base(ctx, s, p)
	if err != nil {
		return nil, err
	}
	b.progress("go build %s for %s", s.bin.Pkg, p)
	binPath, err := goBuild(ctx, b.o.Source, s.bin, p, b.o.Version, b.tmp)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(binPath)
	if err != nil {
		return nil, fmt.Errorf("image build: %w", err)
	}
	bin, err := layer([]debFile{{Name: "/usr/bin/" + s.bin.Name, Mode: 0o755, Type: tar.TypeReg, Data: data}}, b.o.Epoch)
	if err != nil {
		return nil, err
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	hist := func(by string) v1.History { return v1.History{Created: v1.Time{Time: b.o.Epoch}, CreatedBy: by} }
	img, err = mutate.Append(img,
		mutate.Addendum{Layer: base, History: hist("probehub image build: base (" + strings.Join(pkgs, ", ") + ")")},
		mutate.Addendum{Layer: bin, History: hist("probehub image build: go build " + s.bin.Pkg)})
	if err != nil {
		return nil, fmt.Errorf("image build %s: %w", s.name, err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("image build %s: %w", s.name, err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Created = p.OS, p.Arch, v1.Time{Time: b.o.Epoch}
	cf.Config = v1.Config{
		User: s.user, Entrypoint: []string{"/usr/bin/" + s.bin.Name}, Cmd: s.cmd,
		Env: []string{"PATH=/usr/bin:/bin", "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"},
		Labels: map[string]string{
			"org.opencontainers.image.title":   s.title,
			"org.opencontainers.image.source":  "https://github.com/probehub/probehub",
			"org.opencontainers.image.version": b.o.Version,
			"dev.probehub.base.debian":         strings.Join(pkgs, " "),
		},
	}
	return mutate.ConfigFile(img, cf)
}

// base returns the base layer for s on p and the Debian packages it holds.
func (b *builder) base(ctx context.Context, s spec, p Platform) (v1.Layer, []string, error) {
	if b.ca == nil {
		b.progress("Debian ca-certificates (%s)", Suite)
		deb, err := b.debs.get(ctx, "ca-certificates", "all")
		if err != nil {
			return nil, nil, err
		}
		if b.ca, err = caBundle(ctx, deb); err != nil {
			return nil, nil, err
		}
		b.pkgs = []string{filepath.Base(deb)}
	}
	files := append(accounts(), debFile{Name: "/etc/ssl/certs/ca-certificates.crt", Mode: 0o644, Type: tar.TypeReg, Data: b.ca})
	pkgs := b.pkgs
	if s.glibc {
		b.progress("Debian libc6 for %s (%s)", p, Suite)
		deb, err := b.debs.get(ctx, "libc6", p.debArch())
		if err != nil {
			return nil, nil, err
		}
		libs, err := glibc(ctx, deb)
		if err != nil {
			return nil, nil, err
		}
		files = append(files, libs...)
		pkgs = append(pkgs[:len(pkgs):len(pkgs)], filepath.Base(deb))
	}
	if s.keyrings {
		deb, err := b.debs.get(ctx, "debian-archive-keyring", "all")
		if err != nil {
			return nil, nil, err
		}
		keys, err := debFiles(ctx, deb, func(n string) bool { return strings.HasPrefix(n, "/usr/share/keyrings/") })
		if err != nil {
			return nil, nil, err
		}
		files = append(files, keys...)
		pkgs = append(pkgs[:len(pkgs):len(pkgs)], filepath.Base(deb))
	}
	l, err := layer(files, b.o.Epoch)
	return l, pkgs, err
}
