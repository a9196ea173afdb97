package apt

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/probehub/probehub/kernels"
)

var (
	// linux-image-<release>[-unsigned|-dbg|-dbgsym]; releases start with a digit.
	imageRe   = regexp.MustCompile(`^linux-image-(?:unsigned-)?(\d[^ ]*?)(-unsigned|-dbg|-dbgsym)?$`)
	headersRe = regexp.MustCompile(`^linux-headers-(\d[^ ]*)$`)
	// Ubuntu: linux-modules-nvidia-<branch>[-server][-open]-<release>.
	nvidiaRe = regexp.MustCompile(`^linux-modules-nvidia-(\d+(?:-server)?(?:-open)?)-(\d[^ ]*)$`)
	// Ubuntu package versions: <abi>.<upload>[~<series>.<n>], e.g.
	// 5.15.0-50.56 or 5.4.0-128.144~18.04.1.
	ubuntuVersionRe = regexp.MustCompile(`^\d+\.\d+\.\d+-\d+\.(\d[^ +]*)`)
)

var arches = map[string]string{"amd64": "x86_64", "arm64": "aarch64"}

// builder accumulates the kernels of one suite's Packages index.
type builder struct {
	rel     *Release
	distro  string
	version string
	uri     string
	source  string
	kernels map[string]*kernels.Kernel // by release+arch
	nvidia  map[string][]string
	extra   map[string]kernels.Packages
}

func newBuilder(rel *Release, uri, source string) (*builder, error) {
	id, ver, err := rel.Distro()
	if err != nil {
		return nil, err
	}
	return &builder{rel: rel, distro: id, version: ver, uri: strings.TrimRight(uri, "/"), source: source,
		kernels: map[string]*kernels.Kernel{}, nvidia: map[string][]string{}, extra: map[string]kernels.Packages{}}, nil
}

// add looks at one Packages stanza.
func (b *builder) add(st Stanza) {
	arch, ok := arches[st["Architecture"]]
	if !ok {
		return
	}
	name := st["Package"]
	pkg := b.pkg(st)
	if m := nvidiaRe.FindStringSubmatch(name); m != nil {
		b.nvidia[m[2]+"/"+arch] = append(b.nvidia[m[2]+"/"+arch], m[1])
		return
	}
	if m := headersRe.FindStringSubmatch(name); m != nil {
		x := b.extra[m[1]+"/"+arch]
		x.Headers = pkg
		b.extra[m[1]+"/"+arch] = x
		return
	}
	m := imageRe.FindStringSubmatch(name)
	if m == nil {
		return
	}
	if m[2] == "-dbg" || m[2] == "-dbgsym" {
		x := b.extra[m[1]+"/"+arch]
		x.Debug = pkg
		b.extra[m[1]+"/"+arch] = x
		return
	}
	b.image(m[1], arch, pkg)
}

// image records a kernel image package; the -unsigned one is preferred
// (its vmlinuz is the same build, without the signature).
func (b *builder) image(release, arch string, pkg *kernels.Package) {
	id := release + "/" + arch
	if k, ok := b.kernels[id]; ok && strings.Contains(k.Packages.Image.Name, "-unsigned") {
		return
	}
	b.kernels[id] = &kernels.Kernel{
		Key:      kernels.Key{Distro: b.distro, VersionID: b.version, Arch: arch, Release: release},
		Codename: b.rel.BaseCodename(),
		Version:  pkg.Version,
		Build:    b.buildOf(pkg.Version),
		Flavour:  kernels.FlavourOf(release),
		Packages: kernels.Packages{Image: pkg},
		Sources:  []string{b.source},
	}
}

func (b *builder) buildOf(version string) string {
	if b.distro != "ubuntu" {
		return ""
	}
	if m := ubuntuVersionRe.FindStringSubmatch(version); m != nil {
		return m[1]
	}
	return ""
}

func (b *builder) pkg(st Stanza) *kernels.Package {
	size, _ := strconv.ParseInt(st["Size"], 10, 64)
	p := &kernels.Package{Name: st["Package"], Version: st["Version"], SHA256: st["SHA256"], Size: size}
	if f := st["Filename"]; f != "" && b.uri != "" {
		p.URL = b.uri + "/" + f
	}
	return p
}

// result joins images with their headers, dbg and NVIDIA packages.
func (b *builder) result() []kernels.Kernel {
	out := make([]kernels.Kernel, 0, len(b.kernels))
	for id, k := range b.kernels {
		x := b.extra[id]
		k.Packages.Headers, k.Packages.Debug = x.Headers, x.Debug
		k.NVIDIA = b.nvidia[id]
		k.BTF = kernels.GuessBTF(k)
		out = append(out, *k)
	}
	return out
}
