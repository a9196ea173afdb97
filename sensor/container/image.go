package container

import (
	"errors"
	"fmt"
	"strings"
)

// ErrBadImage is wrapped by ParseImage's errors.
var ErrBadImage = errors.New("bad image reference")

// Image is an image reference split the way Falco fills
// container.image.repository, container.image.tag and
// container.image.digest.
type Image struct {
	Repo   string // "docker.io/library/nginx"; empty for a bare image id
	Tag    string // "1.25"; empty when the reference names none
	Digest string // "sha256:…"; empty when the reference names none
}

// String joins the parts back into the reference they came from.
func (im Image) String() string {
	s := im.Repo
	if im.Tag != "" {
		s += ":" + im.Tag
	}
	if im.Digest != "" {
		if s == "" {
			return im.Digest
		}
		s += "@" + im.Digest
	}
	return s
}

// ParseImage splits an image reference as a container runtime reports it:
//
//	docker.io/library/nginx:1.25            → repo docker.io/library/nginx, tag 1.25
//	localhost:5000/team/app                 → repo localhost:5000/team/app, no tag
//	registry/app:v1@sha256:<hex>            → repo, tag and digest
//	registry/app@sha256:<hex>               → repo and digest (pulled by digest)
//	sha256:<hex>                            → a bare image id: digest only
//
// The tag is what follows the last ':' of the last path component, so a
// registry port is never mistaken for a tag. No default tag is invented
// ("nginx" has no tag, as in Falco). Errors wrap ErrBadImage.
func ParseImage(ref string) (Image, error) {
	if ref == "" {
		return Image{}, fmt.Errorf("parse image %q: %w: empty", ref, ErrBadImage)
	}
	if i := strings.IndexFunc(ref, badImageRune); i >= 0 {
		return Image{}, fmt.Errorf("parse image %q: %w: character %q", ref, ErrBadImage, ref[i])
	}
	if isImageID(ref) {
		return Image{Digest: ref}, nil
	}
	name, digest, hasDigest := strings.Cut(ref, "@")
	if hasDigest && (digest == "" || strings.Contains(digest, "@")) {
		return Image{}, fmt.Errorf("parse image %q: %w: malformed digest", ref, ErrBadImage)
	}
	im := Image{Repo: name, Digest: digest}
	slash := strings.LastIndexByte(name, '/')
	if colon := strings.LastIndexByte(name, ':'); colon > slash {
		im.Repo, im.Tag = name[:colon], name[colon+1:]
		if im.Tag == "" {
			return Image{}, fmt.Errorf("parse image %q: %w: empty tag", ref, ErrBadImage)
		}
	}
	if im.Repo == "" {
		return Image{}, fmt.Errorf("parse image %q: %w: empty repository", ref, ErrBadImage)
	}
	return im, nil
}

// isImageID reports a bare "<algorithm>:<hex>" image id such as
// "sha256:3fbc…", which runtimes report for images pulled by digest.
func isImageID(s string) bool {
	alg, hex, ok := strings.Cut(s, ":")
	if !ok || (alg != "sha256" && alg != "sha512") || len(hex) < 32 {
		return false
	}
	return strings.Trim(hex, "0123456789abcdef") == ""
}

func badImageRune(r rune) bool {
	return r <= ' ' || r == 0x7f
}
