package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/probehub/probehub/kernels"
)

// Tag scheme (documented in README.md):
//
//	kernel artifact   <version>__<distro>__<version_id>__<arch>__<release>
//	kernel index      index-<version>, plus floating <X.Y.Z>, <X.Y>, <X>, latest
//	signature         sha256-<hex>.sig (cosign's tag scheme)
//
// Each field is escaped so that the tag stays within the OCI tag grammar
// [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127} and decodes back: "+" becomes "_p", "~"
// becomes "_t", and "_" becomes "_u" when it ends the field or precedes one
// of "_+~upth" (so "x86_64" stays readable); "__" separates fields. A kernel tag longer
// than 128 characters is cut to 110 and ends in "_h" plus 16 hex digits of
// the SHA-256 of the full form; such a tag does not decode by itself
// (ErrTagHashed): the key is read from the artifact's config and must encode
// back to the tag.

// MaxTagLen is the OCI limit on a tag's length.
const MaxTagLen = 128

const (
	tagSep     = "__"
	hashMarker = "_h"
	hashHexLen = 16
	cutLen     = MaxTagLen - len(hashMarker) - hashHexLen
)

// ErrTagHashed reports a kernel tag shortened with a hash suffix: the kernel
// key must come from the artifact's config.
var ErrTagHashed = errors.New("kernel tag is hashed")

// ErrBadTag reports a string that is not a tag of the scheme.
var ErrBadTag = errors.New("invalid tag")

var ociTagRe = regexp.MustCompile(`^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$`)

// ValidTag reports whether s is a valid OCI tag.
func ValidTag(s string) bool { return ociTagRe.MatchString(s) }

// KernelTag returns the tag of the artifact for key k at probe version v.
func KernelTag(v string, k kernels.Key) (string, error) {
	if err := k.Validate(); err != nil {
		return "", fmt.Errorf("encode kernel tag: %w", err)
	}
	ev, err := escapeVersion(v)
	if err != nil {
		return "", err
	}
	parts := []string{ev, escape(k.Distro), escape(k.VersionID), escape(k.Arch), escape(k.Release)}
	full := strings.Join(parts, tagSep)
	if len(full) <= MaxTagLen {
		return full, nil
	}
	sum := sha256.Sum256([]byte(full))
	cut := full[:cutLen]
	for strings.HasSuffix(cut, "_") { // never split an escape or a separator
		cut = cut[:len(cut)-1]
	}
	return cut + hashMarker + hex.EncodeToString(sum[:])[:hashHexLen], nil
}

// KernelTagPrefix is the prefix shared by every kernel tag of probe version v.
func KernelTagPrefix(v string) (string, error) {
	ev, err := escapeVersion(v)
	if err != nil {
		return "", err
	}
	return ev + tagSep, nil
}

// ParseKernelTag decodes a kernel tag into its probe version and key. A
// shortened tag returns an error wrapping ErrTagHashed; anything else that is
// not a kernel tag wraps ErrBadTag.
func ParseKernelTag(tag string) (string, kernels.Key, error) {
	if !ValidTag(tag) {
		return "", kernels.Key{}, fmt.Errorf("parse kernel tag %q: %w", tag, ErrBadTag)
	}
	fields, hashed, err := unescapeFields(tag)
	if err != nil {
		return "", kernels.Key{}, fmt.Errorf("parse kernel tag %q: %w", tag, err)
	}
	if hashed {
		return "", kernels.Key{}, fmt.Errorf("parse kernel tag %q: %w", tag, ErrTagHashed)
	}
	if len(fields) != 5 {
		return "", kernels.Key{}, fmt.Errorf("parse kernel tag %q: want 5 fields, got %d: %w", tag, len(fields), ErrBadTag)
	}
	k := kernels.Key{Distro: fields[1], VersionID: fields[2], Arch: fields[3], Release: fields[4]}
	if err := k.Validate(); err != nil {
		return "", kernels.Key{}, fmt.Errorf("parse kernel tag %q: %w: %w", tag, ErrBadTag, err)
	}
	if _, err := ParseVersion(fields[0]); err != nil {
		return "", kernels.Key{}, fmt.Errorf("parse kernel tag %q: %w: %w", tag, ErrBadTag, err)
	}
	if back, _ := KernelTag(fields[0], k); back != tag {
		return "", kernels.Key{}, fmt.Errorf("parse kernel tag %q: not canonical (want %q): %w", tag, back, ErrBadTag)
	}
	return fields[0], k, nil
}

// IndexTag returns the tag of the kernel index of probe version v.
func IndexTag(v string) (string, error) {
	ev, err := escapeVersion(v)
	if err != nil {
		return "", err
	}
	return "index-" + ev, nil
}

// SignatureTag returns cosign's tag for the signature of manifest h.
func SignatureTag(h v1.Hash) string { return h.Algorithm + "-" + h.Hex + ".sig" }

func escapeVersion(v string) (string, error) {
	if _, err := ParseVersion(v); err != nil {
		return "", fmt.Errorf("encode tag: %w", err)
	}
	return escape(v), nil
}

func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b.WriteString("_p")
		case '~':
			b.WriteString("_t")
		case '_':
			if i+1 == len(s) || strings.IndexByte("_+~upth", s[i+1]) >= 0 {
				b.WriteString("_u")
			} else {
				b.WriteByte('_')
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// unescapeFields splits an escaped tag at "__" and undoes the escapes; hashed
// reports a trailing "_h" hash suffix.
func unescapeFields(tag string) ([]string, bool, error) {
	var fields []string
	var cur strings.Builder
	for i := 0; i < len(tag); i++ {
		c := tag[i]
		if c != '_' {
			cur.WriteByte(c)
			continue
		}
		if i+1 >= len(tag) {
			return nil, false, fmt.Errorf("dangling escape: %w", ErrBadTag)
		}
		i++
		switch tag[i] {
		default: // a plain "_" before an ordinary character
			cur.WriteByte('_')
			cur.WriteByte(tag[i])
		case '_':
			fields = append(fields, cur.String())
			cur.Reset()
		case 'u':
			cur.WriteByte('_')
		case 'p':
			cur.WriteByte('+')
		case 't':
			cur.WriteByte('~')
		case 'h':
			rest := tag[i+1:]
			if len(rest) != hashHexLen || !isLowerHex(rest) {
				return nil, false, fmt.Errorf("bad hash suffix: %w", ErrBadTag)
			}
			return nil, true, nil
		}
	}
	return append(fields, cur.String()), false, nil
}

func isLowerHex(s string) bool {
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
