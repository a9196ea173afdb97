package apt

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/probehub/probehub/kernels"
)

// Lists reads the indexes apt keeps in a lists directory
// (/var/lib/apt/lists): every *_Packages[.gz|.xz|.lz4|.zst] file, with the
// *_InRelease (or *_Release) file of its suite.
type Lists struct {
	Dir      string
	Progress kernels.Progress // nil: silent

	aliases []kernels.Alias
}

var (
	_ kernels.Source      = (*Lists)(nil)
	_ kernels.AliasSource = (*Lists)(nil)
)

// Aliases returns the meta-packages the last Kernels call found.
func (l *Lists) Aliases() []kernels.Alias { return l.aliases }

// Kernels returns the kernels of every index in the directory.
func (l *Lists) Kernels(ctx context.Context) ([]kernels.Kernel, error) {
	idx, err := filepath.Glob(filepath.Join(l.Dir, "*_Packages*"))
	if err != nil || len(idx) == 0 {
		return nil, fmt.Errorf("list apt indexes in %s: none found", l.Dir)
	}
	var out []kernels.Kernel
	l.aliases = nil
	for i, f := range idx {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if l.Progress != nil {
			l.Progress(filepath.Base(f), i, len(idx))
		}
		ks, err := l.index(f)
		if err != nil {
			return nil, err
		}
		out = append(out, ks...)
	}
	return out, nil
}

// index reads one Packages file and its suite's release file.
func (l *Lists) index(file string) ([]kernels.Kernel, error) {
	base := filepath.Base(file)
	i := strings.Index(base, "_dists_")
	if i < 0 {
		return nil, fmt.Errorf("apt index %s: no _dists_ in name", base)
	}
	rest := base[i+len("_dists_"):]
	suite, _, _ := strings.Cut(rest, "_")
	prefix := filepath.Join(l.Dir, base[:i]+"_dists_"+suite+"_")
	rel, err := readRelease(prefix+"InRelease", prefix+"Release")
	if err != nil {
		return nil, err
	}
	uri := "http://" + strings.ReplaceAll(base[:i], "_", "/")
	b, err := newBuilder(rel, uri, "apt:"+uri+"#"+suite)
	if err != nil {
		return nil, err
	}
	comp, _, _ := strings.Cut(strings.TrimPrefix(rest, suite+"_"), "_")
	b.component(comp)
	if err := readPackages(file, b); err != nil {
		return nil, err
	}
	l.aliases = append(l.aliases, b.aliases()...)
	return b.result(), nil
}

func readRelease(files ...string) (*Release, error) {
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			continue
		}
		defer fh.Close()
		return ParseRelease(fh)
	}
	return nil, fmt.Errorf("read release: none of %v", files)
}

func readPackages(file string, b *builder) error {
	fh, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("open index: %w", err)
	}
	defer fh.Close()
	r, err := Decompress(file, fh)
	if err != nil {
		return fmt.Errorf("open index %s: %w", filepath.Base(file), err)
	}
	for st, err := range Stanzas(r) {
		if err != nil {
			return fmt.Errorf("index %s: %w", filepath.Base(file), err)
		}
		b.add(st)
	}
	return nil
}
