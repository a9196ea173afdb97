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
	Arch string // uname -m of the file's kernels; default x86_64
}

var _ kernels.Source = (*File)(nil)

// Kernels reads the file; records whose Ubuntu version cannot be told are
// skipped (Skipped says how many).
func (f *File) Kernels(ctx context.Context) ([]kernels.Kernel, error) {
	b, err := os.ReadFile(f.Path)
	if err != nil {
		return nil, fmt.Errorf("read kernel-crawler file: %w", err)
	}
	var recs []Record
	if err := json.Unmarshal(b, &recs); err != nil {
		return nil, fmt.Errorf("parse kernel-crawler file %s: %w", f.Path, err)
	}
	arch := f.Arch
	if arch == "" {
		arch = "x86_64"
	}
	var out []kernels.Kernel
	for _, r := range recs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out = append(out, Convert(r, arch, "crawler:"+path.Base(f.Path))...)
	}
	return out, nil
}

var headersRe = regexp.MustCompile(`/linux-headers-(\d[^_/]*)_([^_/]+)_amd64\.deb$`)

// Convert maps one record to the real kernels it stands for: one per
// distinct amd64 headers package (generic and lowlatency for an HWE record).
func Convert(r Record, arch, source string) []kernels.Kernel {
	if !strings.HasPrefix(r.Target, "ubuntu") {
		return nil
	}
	seen := map[string]bool{}
	var out []kernels.Kernel
	for _, u := range r.Headers {
		m := headersRe.FindStringSubmatch(u)
		if m == nil || seen[m[1]] {
			continue
		}
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
			Packages: kernels.Packages{Headers: &kernels.Package{Name: "linux-headers-" + m[1], Version: m[2], URL: u}},
			Sources:  []string{source},
		}
		k.BTF = kernels.GuessBTF(&k)
		out = append(out, k)
	}
	return out
}
