package build

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/probehub/probehub/kernels"
)

// Input is one kernel to build.
type Input struct {
	// Key identifies the kernel. An empty Release is taken from the
	// extracted banner (such an input is always extracted again).
	Key    kernels.Key
	Banner string // the known banner, if any
	// Path is the kernel's .deb, vmlinuz, vmlinux, raw BTF or btfhub
	// .btf.tar.xz. With neither Path nor Fetch the kernel has no BTF source
	// and its verdict is unknown.
	Path string
	// Fetch, when set and Path is empty, returns the path of the input,
	// e.g. after downloading the kernel's package into a cache.
	Fetch func(ctx context.Context) (string, error)
	// More are further inputs tried in order when the one before holds no
	// kernel image (extract.ErrNoKernel): the other packages that may carry
	// it (Ubuntu's linux-modules-<release>).
	More []func(ctx context.Context) (string, error)
	// CacheKey identifies the input's bytes before any download: the
	// sha256 of the package a signed index lists (Fetcher.Input sets it).
	// The BTF extracted from it is kept under this key in Config.BTFCache,
	// and taken from there next time. "" (an input known by no digest):
	// never cached.
	CacheKey string
	// NoBTF says why the kernel has no input, for its "unknown" verdict
	// (see NoBTFReason). The default is "no BTF source".
	NoBTF string
}

var (
	debName    = regexp.MustCompile(`^linux-image-(?:unsigned-)?(\d[^_]*?)(?:-unsigned|-dbg|-dbgsym)?_`)
	btfName    = regexp.MustCompile(`^(\d.*?)\.btf(?:\.tar\.xz)?$`)
	vmlinuzNam = regexp.MustCompile(`^vmlinu[xz]-(\d.*)$`)
)

// ReleaseFromFileName returns the `uname -r` a kernel file's name carries:
// linux-image-6.1.0-18-amd64-unsigned_6.1.76-1_amd64.deb → 6.1.0-18-amd64,
// 5.15.0-50-generic.btf(.tar.xz) → 5.15.0-50-generic, vmlinuz-6.1.0-18-amd64
// → 6.1.0-18-amd64. It returns "" when the name says nothing.
func ReleaseFromFileName(path string) string {
	base := filepath.Base(path)
	for _, re := range []*regexp.Regexp{debName, btfName, vmlinuzNam} {
		if m := re.FindStringSubmatch(base); m != nil {
			return strings.TrimSpace(m[1])
		}
	}
	return ""
}
