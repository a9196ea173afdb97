package image

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/match"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// RefNameAnnotation names an index in an OCI layout ("NAME:TAG").
const RefNameAnnotation = "org.opencontainers.image.ref.name"

// Written says where one image went.
type Written struct {
	Name   string  `json:"name"`
	Ref    string  `json:"ref"` // layout:PATH#NAME:TAG or REGISTRY/REPO/NAME:TAG
	Digest v1.Hash `json:"digest"`
}

// Write stores each image as NAME:TAG in to: "layout:PATH" (an OCI layout,
// created when absent; an index of the same NAME:TAG is replaced) or
// "REGISTRY/REPO" (pushed as REGISTRY/REPO/NAME:TAG, with the default
// keychain's credentials).
func Write(ctx context.Context, to, tag string, imgs []Image) ([]Written, error) {
	if tag == "" {
		return nil, errors.New("image write: empty tag")
	}
	var out []Written
	for _, img := range imgs {
		d, err := img.Index.Digest()
		if err != nil {
			return nil, fmt.Errorf("image write %s: %w", img.Name, err)
		}
		ref := img.Name + ":" + tag
		if dir, ok := strings.CutPrefix(to, "layout:"); ok {
			if err := writeLayout(dir, ref, img.Index); err != nil {
				return nil, err
			}
			out = append(out, Written{Name: img.Name, Ref: to + "#" + ref, Digest: d})
			continue
		}
		r, err := name.ParseReference(strings.TrimSuffix(to, "/") + "/" + ref)
		if err != nil {
			return nil, fmt.Errorf("image write: --to %q: want layout:PATH or REGISTRY/REPO: %w", to, err)
		}
		if err := remote.WriteIndex(r, img.Index, remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain)); err != nil {
			return nil, fmt.Errorf("push %s: %w", r, err)
		}
		out = append(out, Written{Name: img.Name, Ref: r.String(), Digest: d})
	}
	return out, nil
}

func writeLayout(dir, ref string, idx v1.ImageIndex) error {
	p, err := layout.FromPath(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("create layout %s: %w", dir, err)
		}
		p, err = layout.Write(dir, empty.Index)
	}
	if err != nil {
		return fmt.Errorf("open layout %s: %w", dir, err)
	}
	ann := map[string]string{RefNameAnnotation: ref}
	if err := p.ReplaceIndex(idx, match.Name(ref), layout.WithAnnotations(ann)); err != nil {
		return fmt.Errorf("write %s to layout %s: %w", ref, dir, err)
	}
	return nil
}
