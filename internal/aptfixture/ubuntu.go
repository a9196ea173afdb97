package aptfixture

import (
	"fmt"
	"testing"
)

// Real is the kernel the Ubuntu fixture can really build: a real Debian
// kernel image, repackaged with Ubuntu's names and layout.
type Real struct {
	Release string // its uname -r (the banner's): 6.1.0-57-cloud-amd64
	Version string // the package version to list: 6.1.192-3
	Vmlinuz []byte // /boot/vmlinuz-<Release> of the Debian package
}

// Ubuntu writes the fixture Ubuntu archive. Names, versions, components,
// pockets and pool paths follow real Ubuntu kernels (public facts from
// the Ubuntu archive's Packages indexes and Launchpad; the archive itself
// is unreachable from here, so sizes and sums of packages the tests never
// download are made up):
//
//   - bionic (18.04) main: the GA kernel 4.15.0-20-generic (4.15.0-20.21);
//   - jammy (22.04) main: the GA kernel 5.15.0-25-generic (5.15.0-25.25);
//   - jammy-updates and jammy-security main: 5.15.0-91-generic
//     (5.15.0-91.101), signed and unsigned images, linux-modules, headers;
//     the HWE kernel 6.5.0-14-generic (6.5.0-14.14~22.04.1) with the
//     linux-image-generic-hwe-22.04 meta-package; the -nvidia flavour
//     5.15.0-1042-nvidia (5.15.0-1042.42); meta-packages linux-image-generic
//     and linux-image-nvidia;
//   - jammy-updates restricted: linux-restricted-modules for 5.15.0-91
//     (linux-modules-nvidia-535-…, linux-objects-nvidia-535-server-…) and
//     nvidia-kernel-common-535 / -535-server (535.129.03);
//   - jammy-updates universe and multiverse: listed, no kernels;
//   - jammy-updates main arm64: 5.15.0-91-generic for aarch64;
//   - focal-updates (20.04) main: the OEM kernel 5.6.0-1056-oem
//     (5.6.0-1056.60, source linux-oem-5.6), above the probes' 5.5 minimum
//     and without built-in BTF (Ubuntu enabled it with 5.8);
//   - noble (24.04) main: 6.8.0-31-generic (6.8.0-31.31).
//
// With r, r.Release is also listed, downloadable, in jammy-updates (as
// linux-image-unsigned-<release> holding only /boot/vmlinuz, Ubuntu's
// layout, beside a larger signed linux-image-<release>), and in
// noble-updates with the image in linux-modules-<release> and an
// image-less linux-image-<release>.
func Ubuntu(tb testing.TB, r *Real) *Mirror { return UbuntuSized(tb, r, nil) }

// UbuntuSized is Ubuntu with filler packages (not kernels, stanzas of real
// shape and about real size) per component of each jammy suite, so that
// indexes have the size of the real archive's: filler["universe"] = 20000.
func UbuntuSized(tb testing.TB, r *Real, filler map[string]int) *Mirror {
	tb.Helper()
	m := New(tb)
	m.Suite("bionic", "Ubuntu", "18.04", "bionic")
	m.Suite("jammy", "Ubuntu", "22.04", "jammy")
	m.Suite("jammy-updates", "Ubuntu", "22.04", "jammy")
	m.Suite("jammy-security", "Ubuntu", "22.04", "jammy")
	m.Suite("focal-updates", "Ubuntu", "20.04", "focal")
	m.Suite("noble", "Ubuntu", "24.04", "noble")
	m.Suite("noble-updates", "Ubuntu", "24.04", "noble")
	must := func(err error) {
		if err != nil {
			tb.Fatal(err)
		}
	}
	kernel := func(suite, arch, src, rel, ver string, size int) {
		for _, p := range []struct{ name, pool string }{
			{"linux-image-unsigned-" + rel, "pool/main/l/" + src + "/linux-image-unsigned-" + rel},
			{"linux-image-" + rel, "pool/main/l/" + src + "-signed/linux-image-" + rel},
			{"linux-modules-" + rel, "pool/main/l/" + src + "/linux-modules-" + rel},
			{"linux-headers-" + rel, "pool/main/l/" + src + "/linux-headers-" + rel},
		} {
			must(m.Add(suite, "main", arch, fmt.Sprintf("%s_%s_%s.deb", p.pool, ver, arch), nil,
				Field{"Package", p.name}, Field{"Source", src}, Field{"Version", ver},
				Field{"Size", fmt.Sprint(size)}, Field{"SHA256", fakeSum(p.name + ver + arch)}))
			size += 1000
		}
	}
	meta := func(suite, arch, name, ver, dep string) {
		must(m.Add(suite, "main", arch, fmt.Sprintf("pool/main/l/linux-meta/%s_%s_%s.deb", name, ver, arch), nil,
			Field{"Package", name}, Field{"Version", ver}, Field{"Depends", dep},
			Field{"Size", "2000"}, Field{"SHA256", fakeSum(name + ver)}))
	}
	kernel("bionic", "amd64", "linux", "4.15.0-20-generic", "4.15.0-20.21", 8000000)
	kernel("focal-updates", "amd64", "linux-oem-5.6", "5.6.0-1056-oem", "5.6.0-1056.60", 9000000)
	kernel("jammy", "amd64", "linux", "5.15.0-25-generic", "5.15.0-25.25", 11000000)
	meta("jammy", "amd64", "linux-image-generic", "5.15.0.25.27", "linux-image-5.15.0-25-generic, linux-modules-extra-5.15.0-25-generic, linux-firmware")
	for _, s := range []string{"jammy-updates", "jammy-security"} {
		kernel(s, "amd64", "linux", "5.15.0-91-generic", "5.15.0-91.101", 11800000)
		meta(s, "amd64", "linux-image-generic", "5.15.0.91.88", "linux-image-5.15.0-91-generic, linux-modules-extra-5.15.0-91-generic, linux-firmware")
	}
	kernel("jammy-updates", "arm64", "linux", "5.15.0-91-generic", "5.15.0-91.101", 30000000)
	kernel("jammy-updates", "amd64", "linux-hwe-6.5", "6.5.0-14-generic", "6.5.0-14.14~22.04.1", 13000000)
	meta("jammy-updates", "amd64", "linux-image-generic-hwe-22.04", "6.5.0.14.14~22.04.7", "linux-image-6.5.0-14-generic, linux-firmware")
	kernel("jammy-updates", "amd64", "linux-nvidia", "5.15.0-1042-nvidia", "5.15.0-1042.42", 12000000)
	meta("jammy-updates", "amd64", "linux-image-nvidia", "5.15.0.1042.42", "linux-image-5.15.0-1042-nvidia")
	kernel("noble", "amd64", "linux", "6.8.0-31-generic", "6.8.0-31.31", 14000000)
	for _, d := range []struct{ name, dep string }{
		{"linux-modules-nvidia-535-5.15.0-91-generic", "nvidia-kernel-common-535 (<= 535.129.03-1), nvidia-kernel-common-535 (>= 535.129.03)"},
		{"linux-objects-nvidia-535-server-5.15.0-91-generic", ""},
	} {
		must(m.Add("jammy-updates", "restricted", "amd64", "pool/restricted/l/linux-restricted-modules/"+d.name+"_5.15.0-91.101_amd64.deb", nil,
			Field{"Package", d.name}, Field{"Source", "linux-restricted-modules"}, Field{"Version", "5.15.0-91.101"},
			Field{"Depends", d.dep}, Field{"Size", "3000000"}, Field{"SHA256", fakeSum(d.name)}))
	}
	for _, b := range []string{"535", "535-server"} {
		must(m.Add("jammy-updates", "restricted", "amd64", "pool/restricted/n/nvidia-graphics-drivers-"+b+"/nvidia-kernel-common-"+b+"_535.129.03-0ubuntu0.22.04.1_amd64.deb", nil,
			Field{"Package", "nvidia-kernel-common-" + b}, Field{"Version", "535.129.03-0ubuntu0.22.04.1"},
			Field{"Size", "40000"}, Field{"SHA256", fakeSum(b)}))
	}
	for _, c := range []string{"universe", "multiverse"} {
		must(m.Add("jammy-updates", c, "amd64", "pool/"+c+"/h/hello/hello_2.10-2ubuntu4_amd64.deb", nil,
			Field{"Package", "hello-" + c}, Field{"Version", "2.10-2ubuntu4"}, Field{"Size", "1"}, Field{"SHA256", fakeSum(c)}))
	}
	if r != nil {
		addReal(tb, m, r)
	}
	for _, suite := range []string{"jammy", "jammy-updates", "jammy-security"} {
		for comp, n := range filler {
			for i := range n {
				name := fmt.Sprintf("filler-%s-%d", comp, i)
				must(m.Add(suite, comp, "amd64", fmt.Sprintf("pool/%s/f/%s/%s_1.%d-0ubuntu1_amd64.deb", comp, name, name, i), nil,
					Field{"Package", name}, Field{"Priority", "optional"}, Field{"Section", comp + "/utils"},
					Field{"Installed-Size", "1234"}, Field{"Maintainer", "Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>"},
					Field{"Version", fmt.Sprintf("1.%d-0ubuntu1", i)}, Field{"Depends", "libc6 (>= 2.34), libgcc-s1 (>= 3.0), libstdc++6 (>= 11)"},
					Field{"Size", "123456"}, Field{"SHA256", fakeSum(name)}, Field{"MD5sum", fakeSum(name)[:32]},
					Field{"Description", "filler package standing in for the archive's other packages"},
					Field{"Description-md5", fakeSum(name + "d")[:32]}))
			}
		}
	}
	must(m.Write())
	return m
}

// addReal lists the real kernel with Ubuntu's package split.
func addReal(tb testing.TB, m *Mirror, r *Real) {
	tb.Helper()
	boot := File{Path: "./boot/vmlinuz-" + r.Release, Data: r.Vmlinuz}
	doc := File{Path: "./usr/share/doc/linux-image-" + r.Release + "/changelog.Debian.gz", Data: make([]byte, 4096)}
	deb := func(name string, files ...File) []byte {
		b, err := Deb(fmt.Sprintf("Package: %s\nVersion: %s\nArchitecture: amd64\nSource: linux-fixture\n", name, r.Version), files...)
		if err != nil {
			tb.Fatal(err)
		}
		return b
	}
	add := func(suite, name, src string, data []byte) {
		if err := m.Add(suite, "main", "amd64", fmt.Sprintf("pool/main/l/%s/%s_%s_amd64.deb", src, name, r.Version), data,
			Field{"Package", name}, Field{"Source", src}, Field{"Version", r.Version}); err != nil {
			tb.Fatal(err)
		}
	}
	add("jammy-updates", "linux-image-unsigned-"+r.Release, "linux-fixture", deb("linux-image-unsigned-"+r.Release, boot))
	add("jammy-updates", "linux-image-"+r.Release, "linux-fixture-signed", deb("linux-image-"+r.Release, boot, doc))
	add("noble-updates", "linux-image-"+r.Release, "linux-fixture-signed", deb("linux-image-"+r.Release, doc))
	add("noble-updates", "linux-modules-"+r.Release, "linux-fixture", deb("linux-modules-"+r.Release, boot))
}

// fakeSum is a stand-in sha256 for a package the tests never download.
func fakeSum(s string) string {
	const hexd = "0123456789abcdef"
	b := make([]byte, 64)
	h := uint32(2166136261)
	for i := range b {
		for j := 0; j < len(s); j++ {
			h = (h ^ uint32(s[j])) * 16777619
		}
		h = (h ^ uint32(i)) * 16777619
		b[i] = hexd[h%16]
	}
	return string(b)
}

// Ddebs writes the fixture of Ubuntu's debug archive (ddebs.ubuntu.com),
// signed like m: suite focal-updates, main, listing
// linux-image-unsigned-<release>-dbgsym as a .ddeb holding
// ./usr/lib/debug/boot/vmlinux-<release> (Ubuntu's layout) with the given
// DWARF vmlinux.
func (m *Mirror) Ddebs(tb testing.TB, release, version string, vmlinux []byte) *Mirror {
	tb.Helper()
	d := m.Sibling(tb)
	d.Suite("focal-updates", "Ubuntu", "20.04", "focal")
	name := "linux-image-unsigned-" + release + "-dbgsym"
	deb, err := Deb(fmt.Sprintf("Package: %s\nVersion: %s\nArchitecture: amd64\nSource: linux\n", name, version),
		File{Path: "./usr/lib/debug/boot/vmlinux-" + release, Data: vmlinux})
	if err != nil {
		tb.Fatal(err)
	}
	if err := d.Add("focal-updates", "main", "amd64", fmt.Sprintf("pool/main/l/linux/%s_%s_amd64.ddeb", name, version), deb,
		Field{"Package", name}, Field{"Source", "linux"}, Field{"Version", version}); err != nil {
		tb.Fatal(err)
	}
	if err := d.Write(); err != nil {
		tb.Fatal(err)
	}
	return d
}
