package extract

import (
	"context"
	"strings"
)

// Format is the kind of input an extraction started from.
type Format string

// The accepted inputs.
const (
	FormatDeb     Format = "deb"     // a linux-image .deb
	FormatVmlinuz Format = "vmlinuz" // a bzImage or a compressed vmlinux/Image
	FormatVmlinux Format = "vmlinux" // an uncompressed vmlinux ELF
	FormatBTF     Format = "btf"     // a raw BTF blob
	FormatBTFHub  Format = "btfhub"  // a btfhub-archive <release>.btf.tar.xz
	FormatUnknown Format = "unknown" // nothing recognisable
)

// Origin says where in the input the BTF came from.
type Origin string

// The origins.
const (
	OriginSection Origin = "section" // the vmlinux .BTF section, from the ELF section table
	OriginScan    Origin = "scan"    // the .BTF blob, found while decompressing (see package doc)
	OriginPahole  Origin = "pahole"  // generated from DWARF by pahole
	OriginRaw     Origin = "raw"     // the input was BTF
)

// Options tune an extraction. A nil *Options means the defaults.
type Options struct {
	// FullELF decompresses the whole vmlinux and takes .BTF from the ELF
	// section table instead of stopping once the BTF has streamed past.
	// The default is false (stream and stop early).
	FullELF bool
	// Pahole is the pahole binary used for DWARF-only vmlinux files. The
	// default is "pahole" looked up on PATH.
	Pahole string
}

func (o *Options) fullELF() bool { return o != nil && o.FullELF }

func (o *Options) pahole() string {
	if o == nil || o.Pahole == "" {
		return "pahole"
	}
	return o.Pahole
}

// Result is an extracted, validated kernel BTF.
type Result struct {
	BTF         []byte      // the raw BTF (a copy: it keeps no image alive)
	Types       int         // number of types, as bpftool counts them
	Release     string      // uname -r, from the banner (or the btfhub file name)
	Banner      string      // "Linux version …" without the newline; "" when the input has none
	Input       Format      // what the input was
	Compression Compression // the kernel payload's compression, "" when none applied
	Origin      Origin      // where the BTF came from
	ImagePath   string      // the kernel image's path inside a .deb
}

// releaseOf returns the release in a banner: the word after "Linux version ".
func releaseOf(banner string) string {
	f := strings.Fields(strings.TrimPrefix(banner, string(bannerPrefix)))
	if len(f) == 0 || !strings.HasPrefix(banner, string(bannerPrefix)) {
		return ""
	}
	return f[0]
}

// finish validates the BTF and fills the derived fields. With copyRaw set
// the result holds a copy of raw, not raw itself (raw is part of a larger
// buffer, or the caller's).
func finish(res *Result, raw []byte, copyRaw bool) (*Result, error) {
	res.BTF = raw
	if copyRaw {
		res.BTF = append([]byte(nil), raw...)
	}
	n, err := validateBTF(res.BTF)
	if err != nil {
		return nil, err
	}
	res.Types = n
	if res.Release == "" {
		res.Release = releaseOf(res.Banner)
	}
	return res, nil
}

// FromBTF validates a raw BTF blob.
func FromBTF(raw []byte) (*Result, error) {
	return finish(&Result{Input: FormatBTF, Origin: OriginRaw}, raw, true)
}

// ctxErr wraps a cancelled context as an input-stage error.
func ctxErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fail(StageInput, err)
	}
	return nil
}
