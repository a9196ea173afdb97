package apt

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/probehub/probehub/kernels"
)

// A kernel release (uname -r) starts with MAJOR.MINOR.PATCH; anything else
// after linux-image- is a meta-package (linux-image-generic,
// linux-image-6.12-cloud-amd64, linux-image-generic-hwe-22.04).
const releasePat = `(\d+\.\d+\.\d+[^ ]*?)`

var (
	// The packages that may carry a kernel image, in the order the catalog
	// tries them. Debian: linux-image-<release>[-unsigned]. Ubuntu:
	// linux-image-unsigned-<release>, linux-image-<release> (the signed
	// vmlinuz, same build), and linux-modules-<release>, which holds the
	// image itself for some flavours. Which flavours could not be checked
	// from here (the Ubuntu archive is unreachable); btfhub's public
	// Ubuntu code (aquasecurity/btfhub) looks for the image's debug
	// symbols in linux-image-unsigned-, then linux-image-, then
	// linux-modules-<release>-dbgsym, so the build tries the image
	// packages in the same order and takes the first that holds a
	// /boot/vmlinu[xz]-<release>.
	imageRe   = regexp.MustCompile(`^linux-image-(unsigned-)?` + releasePat + `(-unsigned)?$`)
	modulesRe = regexp.MustCompile(`^linux-modules-` + releasePat + `$`)
	debugRe   = regexp.MustCompile(`^linux-image-(?:unsigned-)?` + releasePat + `-(?:dbg|dbgsym)$`)
	headersRe = regexp.MustCompile(`^linux-headers-` + releasePat + `$`)
	metaRe    = regexp.MustCompile(`^linux-image-([a-z][^ ]*|\d+\.\d+-[^ ]+)$`)
	// Ubuntu's linux-restricted-modules: linux-modules-nvidia-<branch>-<release>
	// (the prebuilt modules) and linux-objects-nvidia-<branch>-<release>
	// (the objects linked at install); <branch> is 535, 535-server,
	// 550-open, 535-server-open.
	nvidiaRe = regexp.MustCompile(`^linux-(?:modules|objects)-nvidia-(\d+(?:-server)?(?:-open)?)-` + releasePat + `$`)
	// nvidia-kernel-common-<branch>: the driver version of a branch in a
	// suite, where a module package's dependencies do not name it.
	nvidiaCommonRe = regexp.MustCompile(`^nvidia-kernel-common-(\d+(?:-server)?)$`)
	// A module package's dependency on the branch's common package names
	// the driver version: "nvidia-kernel-common-535 (>= 535.183.01)".
	nvidiaDepRe = regexp.MustCompile(`nvidia-kernel-common-\d+(?:-server)? \((?:>=|=) ([0-9.]+)`)
	// Ubuntu package versions: <abi>.<upload>[~<series>.<n>], e.g.
	// 5.15.0-50.56 or 5.4.0-128.144~18.04.1.
	ubuntuVersionRe = regexp.MustCompile(`^\d+\.\d+\.\d+-\d+\.(\d[^ +]*)`)
	// The first linux-image-<release> a meta-package depends on.
	dependsImageRe = regexp.MustCompile(`(?:^|, *)linux-image-(?:unsigned-)?` + releasePat + `(?:-unsigned)?(?: |,|$)`)
)

// Arches maps Debian architectures to the kernel key's arch (uname -m).
var Arches = map[string]string{"amd64": "x86_64", "arm64": "aarch64"}

// builder accumulates the kernels of one suite's Packages indexes (every
// component and arch).
type builder struct {
	rel     *Release
	distro  string
	version string
	uri     string
	source  string
	images  map[string][]kernels.Package // release/arch → candidate image packages
	extra   map[string]kernels.Packages  // release/arch → headers, debug
	nvidia  map[string][]kernels.NVIDIADriver
	common  map[string]string // branch → newest nvidia-kernel-common version
	metas   []kernels.Alias
	// nvidiaData: the suite's restricted component (Ubuntu's NVIDIA
	// driver modules) was read.
	nvidiaData bool
}

// component notes that the stanzas that follow come from component c.
func (b *builder) component(c string) {
	if b.distro == "ubuntu" && c == "restricted" {
		b.nvidiaData = true
	}
}

func newBuilder(rel *Release, uri, source string) (*builder, error) {
	id, ver, err := rel.Distro()
	if err != nil {
		return nil, err
	}
	return &builder{rel: rel, distro: id, version: ver, uri: strings.TrimRight(uri, "/"), source: source,
		images: map[string][]kernels.Package{}, extra: map[string]kernels.Packages{},
		nvidia: map[string][]kernels.NVIDIADriver{}, common: map[string]string{}}, nil
}

// add looks at one Packages stanza.
func (b *builder) add(st Stanza) {
	arch, ok := Arches[st["Architecture"]]
	name := st["Package"]
	if m := nvidiaCommonRe.FindStringSubmatch(name); m != nil {
		if v := driverVersion(st["Version"]); kernels.CompareDebVersions(v, b.common[m[1]]) > 0 {
			b.common[m[1]] = v
		}
		return
	}
	if !ok {
		return
	}
	pkg := b.pkg(st)
	switch {
	case nvidiaRe.MatchString(name):
		m := nvidiaRe.FindStringSubmatch(name)
		d := kernels.NVIDIADriver{Branch: m[1], Package: name}
		if dm := nvidiaDepRe.FindStringSubmatch(st["Depends"]); dm != nil {
			d.Version = dm[1]
		}
		b.nvidia[m[2]+"/"+arch] = append(b.nvidia[m[2]+"/"+arch], d)
	case headersRe.MatchString(name):
		id := headersRe.FindStringSubmatch(name)[1] + "/" + arch
		x := b.extra[id]
		x.Headers = pkg
		b.extra[id] = x
	case debugRe.MatchString(name):
		id := debugRe.FindStringSubmatch(name)[1] + "/" + arch
		x := b.extra[id]
		if x.Debug == nil || strings.Contains(name, "unsigned") {
			x.Debug = pkg
		}
		b.extra[id] = x
	case imageRe.MatchString(name):
		id := imageRe.FindStringSubmatch(name)[2] + "/" + arch
		b.images[id] = append(b.images[id], *pkg)
	case b.distro == "ubuntu" && modulesRe.MatchString(name):
		id := modulesRe.FindStringSubmatch(name)[1] + "/" + arch
		b.images[id] = append(b.images[id], *pkg)
	case metaRe.MatchString(name) && !strings.HasSuffix(name, "-dbg"):
		if m := dependsImageRe.FindStringSubmatch(st["Depends"]); m != nil {
			b.metas = append(b.metas, kernels.Alias{Name: name, Version: st["Version"], Source: b.source,
				Kernel: kernels.Key{Distro: b.distro, VersionID: b.version, Arch: arch, Release: m[1]}})
		}
	}
}

// driverVersion is the upstream part of a driver package version:
// 535.183.01-0ubuntu0.22.04.1 → 535.183.01.
func driverVersion(v string) string {
	if _, rest, ok := strings.Cut(v, ":"); ok {
		v = rest
	}
	v, _, _ = strings.Cut(v, "-")
	return v
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

// orderImages puts the image packages in the order the build tries them:
// the packages named linux-image-* first, smallest download first (a signed
// and an unsigned vmlinuz give the same BTF), then linux-modules-*.
func orderImages(ps []kernels.Package) []kernels.Package {
	ps = slices.Clone(ps)
	rank := func(p kernels.Package) int {
		if strings.HasPrefix(p.Name, "linux-modules-") {
			return 1
		}
		return 0
	}
	slices.SortStableFunc(ps, func(a, c kernels.Package) int {
		return cmp.Or(rank(a)-rank(c), cmp.Compare(a.Size, c.Size), strings.Compare(a.Name, c.Name))
	})
	return slices.CompactFunc(ps, func(a, c kernels.Package) bool { return a.Name == c.Name && a.Version == c.Version })
}

// result joins images with their headers, dbg and NVIDIA packages. A
// release with only a linux-modules package and no linux-image package is
// not a kernel the index offers whole, and is left out.
func (b *builder) result() []kernels.Kernel {
	out := make([]kernels.Kernel, 0, len(b.images))
	for id, cands := range b.images {
		cands = orderImages(cands)
		if strings.HasPrefix(cands[0].Name, "linux-modules-") {
			continue
		}
		release, arch, _ := strings.Cut(id, "/")
		img := cands[0]
		k := kernels.Kernel{
			Key:      kernels.Key{Distro: b.distro, VersionID: b.version, Arch: arch, Release: release},
			Codename: b.rel.BaseCodename(),
			Version:  img.Version,
			Build:    b.buildOf(img.Version),
			Flavour:  kernels.FlavourOf(release),
			Packages: kernels.Packages{Image: &img, Alternates: cands[1:]},
			Sources:  []string{b.source},
		}
		if len(k.Packages.Alternates) == 0 {
			k.Packages.Alternates = nil
		}
		x := b.extra[id]
		k.Packages.Headers, k.Packages.Debug = x.Headers, x.Debug
		for _, d := range b.nvidia[id] {
			if d.Version == "" {
				d.Version = b.common[strings.TrimSuffix(d.Branch, "-open")]
			}
			k.Drivers = append(k.Drivers, d)
			k.NVIDIA = append(k.NVIDIA, d.Branch)
		}
		slices.SortFunc(k.Drivers, func(x, y kernels.NVIDIADriver) int {
			return strings.Compare(x.Branch+" "+x.Package, y.Branch+" "+y.Package)
		})
		slices.Sort(k.NVIDIA)
		k.NVIDIA = slices.Compact(k.NVIDIA)
		k.NVIDIAData = b.nvidiaData
		k.BTF = kernels.GuessBTF(&k)
		out = append(out, k)
	}
	return append(out, b.debugOnly()...)
}

// debugOnly are the kernels of a debug archive (Ubuntu's ddebs.ubuntu.com
// lists linux-image[-unsigned]-<release>-dbgsym without the images): their
// debug package, merged in the catalog with the image from the main archive.
func (b *builder) debugOnly() []kernels.Kernel {
	var out []kernels.Kernel
	for id, x := range b.extra {
		if _, ok := b.images[id]; ok || x.Debug == nil {
			continue
		}
		release, arch, _ := strings.Cut(id, "/")
		k := kernels.Kernel{
			Key:      kernels.Key{Distro: b.distro, VersionID: b.version, Arch: arch, Release: release},
			Codename: b.rel.BaseCodename(), Version: x.Debug.Version, Build: b.buildOf(x.Debug.Version),
			Flavour: kernels.FlavourOf(release), Packages: kernels.Packages{Debug: x.Debug}, Sources: []string{b.source},
		}
		k.BTF = kernels.GuessBTF(&k)
		out = append(out, k)
	}
	return out
}

// aliases are the suite's meta-packages that point at a kernel it has.
func (b *builder) aliases() []kernels.Alias { return b.metas }
