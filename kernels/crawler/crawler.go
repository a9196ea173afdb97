// Package crawler imports kernel-crawler JSON (falcosecurity/kernel-crawler
// output: kernelrelease, kernelversion, target, headers URLs) into catalog
// kernels. A crawler "kernelrelease" is not always a real uname -r (HWE
// records read 5.15.0-50-hwe-5.15): the real releases are taken from the
// amd64 linux-headers-<release>_<version>_amd64.deb URLs of each record, and
// the Ubuntu VERSION_ID from the version's ~<series> suffix, the target, or
// the kernel's base version.
package crawler

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"regexp"
	"strings"

	"github.com/probehub/probehub/kernels"
)

// Record is one kernel-crawler entry.
type Record struct {
	KernelRelease string   `json:"kernelrelease"`
	KernelVersion string   `json:"kernelversion"`
	Target        string   `json:"target"`
	Headers       []string `json:"headers"`
}

// File is a kernel-crawler JSON file as a kernels.Source.
type File struct {
	Path string
	Arch string // uname -m of the file's kernels; default: aarch64 when the file name says so, else x86_64
}

var _ kernels.Source = (*File)(nil)

// NoSHA256 is the catalog's reason for the unknown sha256 of every package
// of a kernel-crawler entry.
const NoSHA256 = "kernel-crawler lists no sha256"

// Kernels reads the file; records whose Ubuntu version cannot be told are
// skipped (Skipped says how many).
func (f *File) Kernels(ctx context.Context) ([]kernels.Kernel, error) {
	b, err := os.ReadFile(f.Path)
	if err != nil {
		return nil, fmt.Errorf("read kernel-crawler file: %w", err)
	}
	arch := f.Arch
	if arch == "" {
		arch = archOfName(path.Base(f.Path))
	}
	return Parse(ctx, b, f.Path, arch)
}

// Parse converts the kernel-crawler JSON b, read from name, into the
// kernels of arch (x86_64 or aarch64). A file that is not a JSON array of
// records, or whose records hold no headers package of arch, is an error
// naming it.
func Parse(ctx context.Context, b []byte, name, arch string) ([]kernels.Kernel, error) {
	var recs []Record
	if err := json.Unmarshal(b, &recs); err != nil {
		return nil, fmt.Errorf("parse kernel-crawler file %s: %w", name, err)
	}
	var out []kernels.Kernel
	for _, r := range recs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out = append(out, Convert(r, arch, "crawler:"+path.Base(name))...)
	}
	if len(out) == 0 && len(recs) > 0 {
		return nil, fmt.Errorf("kernel-crawler file %s: %d records but no Ubuntu %s (%s) headers package in them: a list for another arch or distro?", name, len(recs), arch, debArch[arch])
	}
	return out, nil
}

// archOfName is the arch a kernel-crawler file's name says
// (kernel-crawler_aarch64_…json), x86_64 by default.
func archOfName(name string) string {
	if strings.Contains(name, "aarch64") || strings.Contains(name, "arm64") {
		return "aarch64"
	}
	return "x86_64"
}

var headersRe = regexp.MustCompile(`^(.*)/linux-headers-(\d[^_/]*)_([^_/]+)_(amd64|arm64)\.deb$`)

// debArch is the Debian architecture of a kernel key's arch.
var debArch = map[string]string{"x86_64": "amd64", "aarch64": "arm64"}

// Convert maps one record to the real kernels it stands for: one per
// distinct headers package of the arch (generic and lowlatency for an HWE
// record).
func Convert(r Record, arch, source string) []kernels.Kernel {
	if !strings.HasPrefix(r.Target, "ubuntu") {
		return nil
	}
	seen := map[string]bool{}
	var out []kernels.Kernel
	for _, u := range r.Headers {
		m := headersRe.FindStringSubmatch(u)
		if m == nil || m[4] != debArch[arch] || seen[m[2]] {
			continue
		}
		dir, m := m[1], m[1:]
		seen[m[1]] = true
		ver := UbuntuVersion(m[1], m[2], r.Target)
		if ver == "" {
			continue
		}
		k := kernels.Kernel{
			Key:      kernels.Key{Distro: "ubuntu", VersionID: ver, Arch: arch, Release: m[1]},
			Codename: ubuntuCodenames[ver],
			Version:  m[2],
			Build:    r.KernelVersion,
			Flavour:  kernels.FlavourOf(m[1]),
			Packages: imagePackages(dir, m[1], m[2], debArch[arch]),
			Sources:  []string{source},
		}
		k.Packages.Headers = &kernels.Package{Name: "linux-headers-" + m[1], Version: m[2], URL: u, NoSHA256: NoSHA256}
		k.BTF = kernels.GuessBTF(&k)
		out = append(out, k)
	}
	return out
}

// imagePackages derives the packages that may carry the kernel image from
// the headers' pool directory (pool/main/l/<source>/) and Ubuntu's naming
// rules, in the order the build tries them:
//
//   - linux-image-unsigned-<release>, built from the same source package
//     (since 4.15: Ubuntu splits signed and unsigned images);
//   - linux-image-<release> from the same source (older kernels, and
//     flavours that are never signed);
//   - linux-image-<release> from linux-signed-<source minus "linux-">
//     (pool/main/l/linux-signed-hwe-5.15/ beside pool/main/l/linux-hwe-5.15/),
//     the signed vmlinuz, same BTF;
//   - linux-modules-<release> from the same source, which carries the image
//     itself for some flavours.
//
// kernel-crawler gives no sizes or sums: these packages carry NoSHA256, and
// the build checks them against a signed apt index that lists the same
// file (an apt crawl of the same archive into the catalog, or the build's
// --verify-from) or refuses them unless told otherwise.
// Source of the naming rules: the Ubuntu archive's pool layout as kernel-
// crawler's own URLs show it (pool/main/l/<source>/), and btfhub's public
// Ubuntu code (aquasecurity/btfhub), which tries linux-image-unsigned-,
// linux-image- and linux-modules-<release> in that order; not checked
// against the archive from here (unreachable).
func imagePackages(dir, release, version, arch string) kernels.Packages {
	pkg := func(dir, name string) kernels.Package {
		return kernels.Package{Name: name, Version: version, URL: dir + "/" + name + "_" + version + "_" + arch + ".deb", NoSHA256: NoSHA256}
	}
	parent, src := dir[:max(strings.LastIndex(dir, "/"), 0)], path.Base(dir)
	signedDir := strings.TrimSuffix(parent+"/linux-signed-"+strings.TrimPrefix(strings.TrimPrefix(src, "linux"), "-"), "-")
	img := pkg(dir, "linux-image-unsigned-"+release)
	return kernels.Packages{Image: &img, Alternates: []kernels.Package{
		pkg(dir, "linux-image-"+release),
		pkg(signedDir, "linux-image-"+release),
		pkg(dir, "linux-modules-"+release),
	}}
}
