package apt

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
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

// Kernels returns the kernels of every index in the directory. The indexes
// of one suite (its components and arches) are read together, so that
// NVIDIA driver modules in restricted join the kernels in main.
func (l *Lists) Kernels(ctx context.Context) ([]kernels.Kernel, error) {
	idx, err := filepath.Glob(filepath.Join(l.Dir, "*_Packages*"))
	if err != nil || len(idx) == 0 {
		return nil, fmt.Errorf("list apt indexes in %s: none found", l.Dir)
	}
	l.aliases = nil
	suites := map[string]*builder{}
	var order []string
	for i, f := range idx {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if l.Progress != nil {
			l.Progress(filepath.Base(f), i, len(idx))
		}
		id, comp, err := l.suiteOf(f, suites)
		if err != nil {
			return nil, err
		}
		if len(order) == 0 || !slices.Contains(order, id) {
			order = append(order, id)
		}
		b := suites[id]
		b.component(comp)
		if err := readPackages(f, b); err != nil {
			return nil, err
		}
	}
	var out []kernels.Kernel
	for _, id := range order {
		out = append(out, suites[id].result()...)
		l.aliases = append(l.aliases, suites[id].aliases()...)
	}
	return out, nil
}

// suiteOf names the suite of an index file (its lists prefix) and its
// component, creating the suite's builder from its release file.
func (l *Lists) suiteOf(file string, suites map[string]*builder) (id, comp string, err error) {
	base := filepath.Base(file)
	i := strings.Index(base, "_dists_")
	if i < 0 {
		return "", "", fmt.Errorf("apt index %s: no _dists_ in name", base)
	}
	rest := base[i+len("_dists_"):]
	suite, _, _ := strings.Cut(rest, "_")
	comp, _, _ = strings.Cut(strings.TrimPrefix(rest, suite+"_"), "_")
	id = base[:i] + "_dists_" + suite
	if suites[id] != nil {
		return id, comp, nil
	}
	prefix := filepath.Join(l.Dir, id+"_")
	rel, err := readRelease(prefix+"InRelease", prefix+"Release")
	if err != nil {
		return "", "", err
	}
	uri := "http://" + strings.ReplaceAll(base[:i], "_", "/")
	b, err := newBuilder(rel, uri, "apt:"+uri+"#"+suite)
	if err != nil {
		return "", "", err
	}
	suites[id] = b
	return id, comp, nil
}

func readRelease(files ...string) (*Release, error) {
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			continue
		}
		r, err := ParseRelease(fh)
		_ = fh.Close() // read only: closing loses nothing
		return r, err
	}
	return nil, fmt.Errorf("read release: none of %v", files)
}

func readPackages(file string, b *builder) error {
	fh, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("open index: %w", err)
	}
	defer func() { _ = fh.Close() }() // read only: closing loses nothing
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
