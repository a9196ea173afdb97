// Package crawler imports kernel-crawler JSON (falcosecurity/kernel-crawler
// output: kernelrelease, kernelversion, target, headers URLs) into catalog
// kernels. A crawler "kernelrelease" is not always a real uname -r (HWE
// records read 5.15.0-50-hwe-5.15): the real releases are taken from the
// amd64 linux-headers-<release>_<version>_amd64.deb URLs of each record, and
// the Ubuntu VERSION_ID from the version's ~<series> suffix, the target, or
// the kernel's base version.
package crawler

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path"
	"regexp"
	"slices"
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

// Kernels reads the file (see Parse).
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
// kernels of arch (x86_64 or aarch64); records whose Ubuntu version cannot
// be told are skipped. Both of kernel-crawler's layouts are read (see
// ParseRecords). Only Ubuntu records with headers packages of arch become
// kernels; a file that yields none fails with ErrNoKernels and what it
// holds (records per distro, the arch looked for), so that a list for
// another arch or of other distros is never read as an empty catalog.
// Errors name name, with line:col for bad JSON.
func Parse(ctx context.Context, b []byte, name, arch string) ([]kernels.Kernel, error) {
	recs, distros, err := ParseRecords(b)
	if err != nil {
		return nil, fmt.Errorf("%s:%w", name, err)
	}
	var out []kernels.Kernel
	for _, r := range recs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out = append(out, Convert(r, arch, "crawler:"+path.Base(name))...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("kernel-crawler file %s: %s, but no Ubuntu record with a linux-headers package for %s (%s): %w", name, describe(len(recs), distros), arch, debArch[arch], ErrNoKernels)
	}
	return out, nil
}

// ErrNoKernels reports a kernel-crawler file none of whose records is an
// Ubuntu kernel of the file's arch.
var ErrNoKernels = errors.New("no usable kernel in the file (only Ubuntu records are read; a list for another arch or distro?)")

// describe says what a file holds: "3 records (AmazonLinux2 2, Ubuntu 1)".
func describe(n int, distros map[string]int) string {
	if n == 0 {
		return "no records"
	}
	if len(distros) == 0 {
		return fmt.Sprintf("%d records", n)
	}
	var parts []string
	for _, d := range slices.Sorted(maps.Keys(distros)) {
		parts = append(parts, fmt.Sprintf("%s %d", d, distros[d]))
	}
	return fmt.Sprintf("%d records (%s)", n, strings.Join(parts, ", "))
}

// ParseRecords reads kernel-crawler JSON in either layout: a plain array
// of records (the older Ubuntu-only lists) or the per-distro object of its
// current output ({"AmazonLinux2": [...], "Ubuntu": [...], ...}, where
// kernelversion is a string or a number). For
// the per-distro object it also returns the number of records of each
// distro key; nil for a plain array. Syntax and type errors carry their
// line:col in the input (the caller prefixes the file name).
func ParseRecords(b []byte) ([]Record, map[string]int, error) {
	trimmed := bytes.TrimLeft(b, " \t\r\n")
	switch {
	case len(trimmed) == 0:
		return nil, nil, fmt.Errorf("1:1: empty file: want kernel-crawler JSON (an array of records, or an object of arrays per distro)")
	case trimmed[0] == '[':
		var recs []Record
		if err := json.Unmarshal(b, &recs); err != nil {
			return nil, nil, jsonError(b, err)
		}
		return recs, nil, nil
	case trimmed[0] == '{':
		var by map[string][]Record
		if err := json.Unmarshal(b, &by); err != nil {
			return nil, nil, jsonError(b, err)
		}
		distros := make(map[string]int, len(by))
		var recs []Record
		for _, d := range slices.Sorted(maps.Keys(by)) {
			distros[d] = len(by[d])
			recs = append(recs, by[d]...)
		}
		return recs, distros, nil
	default:
		line, col := position(b, int64(len(b)-len(trimmed)))
		return nil, nil, fmt.Errorf("%d:%d: want kernel-crawler JSON (an array of records, or an object of arrays per distro), found %q", line, col, trimmed[0])
	}
}

// UnmarshalJSON reads a record; kernelversion may be a string (Ubuntu,
// Debian) or a number (Amazon Linux and others in kernel-crawler's
// current output).
func (r *Record) UnmarshalJSON(b []byte) error {
	var raw struct {
		KernelRelease string          `json:"kernelrelease"`
		KernelVersion json.RawMessage `json:"kernelversion"`
		Target        string          `json:"target"`
		Headers       []string        `json:"headers"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*r = Record{KernelRelease: raw.KernelRelease, Target: raw.Target, Headers: raw.Headers}
	v := bytes.TrimSpace(raw.KernelVersion)
	switch {
	case len(v) == 0 || string(v) == "null":
	case v[0] == '"':
		if err := json.Unmarshal(v, &r.KernelVersion); err != nil {
			return err
		}
	default:
		var n json.Number
		if err := json.Unmarshal(v, &n); err != nil {
			return fmt.Errorf("kernelversion %s: want a string or a number", v)
		}
		r.KernelVersion = n.String()
	}
	return nil
}

// jsonError gives a decoding error its line:col in b.
func jsonError(b []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line, col := position(b, syn.Offset)
		return fmt.Errorf("%d:%d: %w", line, col, err)
	case errors.As(err, &typ):
		line, col := position(b, typ.Offset)
		return fmt.Errorf("%d:%d: %w", line, col, err)
	}
	return fmt.Errorf("1:1: %w", err)
}

// position turns a byte offset into a 1-based line and column.
func position(b []byte, off int64) (int, int) {
	off = min(max(off, 0), int64(len(b)))
	before := b[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
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
