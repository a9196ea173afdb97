package kernels

import (
	"cmp"
	"slices"
	"strings"
	"sync"
)

// Catalog is the set of known kernels, indexed by Key and by banner. It is
// safe for concurrent use; the Kernels it returns are copies the caller may
// keep but must not share slices of with other writers.
type Catalog struct {
	mu       sync.RWMutex
	kernels  map[Key]*Kernel
	byBanner map[string]Key
	byLoose  map[string][]Key // BannerWithoutBuild → keys, for SameBanner matches
	aliases  map[aliasID]Alias
}

// aliasID is what makes two alias records the same: the meta-package on
// one distro version and arch.
type aliasID struct {
	name, distro, version, arch string
}

// AddAliases records meta-packages; a newer record of the same package on
// the same distro version and arch replaces the older one (the meta-package
// moved to a new kernel). It returns how many changed.
func (c *Catalog) AddAliases(as ...Alias) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.aliases == nil {
		c.aliases = map[aliasID]Alias{}
	}
	n := 0
	for _, a := range as {
		if a.Kernel.Validate() != nil || a.Name == "" {
			continue
		}
		id := aliasID{a.Name, a.Kernel.Distro, a.Kernel.VersionID, a.Kernel.Arch}
		old, ok := c.aliases[id]
		if ok && (old == a || !newerDebVersion(a.Version, old.Version)) {
			continue
		}
		c.aliases[id] = a
		n++
	}
	return n
}

// Aliases returns every alias, sorted by distro, version, arch and name.
func (c *Catalog) Aliases() []Alias {
	c.mu.RLock()
	out := make([]Alias, 0, len(c.aliases))
	for _, a := range c.aliases {
		out = append(out, a)
	}
	c.mu.RUnlock()
	slices.SortFunc(out, func(a, b Alias) int {
		return cmp.Or(CompareKeys(Key{a.Kernel.Distro, a.Kernel.VersionID, a.Kernel.Arch, a.Name}, Key{b.Kernel.Distro, b.Kernel.VersionID, b.Kernel.Arch, b.Name}))
	})
	return out
}

// New returns an empty catalog.
func New() *Catalog {
	return &Catalog{kernels: map[Key]*Kernel{}, byBanner: map[string]Key{}}
}

// Len is the number of kernels.
func (c *Catalog) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.kernels)
}

// Get returns the kernel with key k.
func (c *Catalog) Get(k Key) (Kernel, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	kn, ok := c.kernels[k]
	if !ok {
		return Kernel{}, false
	}
	return *kn, true
}

// ByBanner returns the kernel whose banner is b (a node's /proc/version; a
// trailing newline is ignored).
func (c *Catalog) ByBanner(b string) (Kernel, bool) {
	b = strings.TrimRight(b, "\n")
	c.mu.RLock()
	k, ok := c.byBanner[b]
	if !ok { // a Debian image banner lacks the build number /proc/version has
		for _, cand := range c.byLoose[BannerWithoutBuild(b)] {
			if kn := c.kernels[cand]; kn != nil && SameBanner(kn.Banner, b) {
				k, ok = cand, true
				break
			}
		}
	}
	c.mu.RUnlock()
	if !ok {
		return Kernel{}, false
	}
	return c.Get(k)
}

// Add merges kernels into the catalog: a new key is added, a known one gains
// what the new record knows (see Kernel merge rules in merge.go) and loses
// nothing. Kernels with an invalid Key are skipped and counted.
func (c *Catalog) Add(ks ...Kernel) (added, updated, invalid int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range ks {
		if k.Key.Validate() != nil {
			invalid++
			continue
		}
		old, ok := c.kernels[k.Key]
		if !ok {
			kc := k
			c.kernels[k.Key] = &kc
			c.indexBanner(&kc)
			added++
			continue
		}
		if merge(old, k) {
			c.indexBanner(old)
			updated++
		}
	}
	return added, updated, invalid
}

func (c *Catalog) indexBanner(k *Kernel) {
	if k.Banner != "" {
		c.byBanner[k.Banner] = k.Key
		loose := BannerWithoutBuild(k.Banner)
		if c.byLoose == nil {
			c.byLoose = map[string][]Key{}
		}
		if !slices.Contains(c.byLoose[loose], k.Key) {
			c.byLoose[loose] = append(c.byLoose[loose], k.Key)
		}
	}
}

// All returns every kernel, sorted by Key.
func (c *Catalog) All() []Kernel { return c.Filter(Filter{}) }

// Filter selects kernels; zero fields match everything.
type Filter struct {
	Distro        string // os-release ID
	VersionID     string
	Arch          string
	Flavour       string
	ReleasePrefix string // uname -r prefix: "5.15."
	// NVIDIA selects NVIDIA kernels: "any" for every NVIDIA flavour or
	// kernel with driver modules, else a driver branch ("550" matches
	// "550" and "550-server").
	NVIDIA string
}

// Match reports whether k passes the filter.
func (f Filter) Match(k *Kernel) bool {
	switch {
	case f.Distro != "" && k.Distro != f.Distro,
		f.VersionID != "" && k.VersionID != f.VersionID,
		f.Arch != "" && k.Arch != f.Arch,
		f.Flavour != "" && k.Flavour != f.Flavour,
		!strings.HasPrefix(k.Release, f.ReleasePrefix):
		return false
	case f.NVIDIA == "":
		return true
	case f.NVIDIA == "any":
		return k.IsNVIDIA()
	}
	return slices.ContainsFunc(k.NVIDIA, func(b string) bool {
		return b == f.NVIDIA || strings.HasPrefix(b, f.NVIDIA+"-")
	})
}

// Filter returns the kernels that pass f, sorted by Key.
func (c *Catalog) Filter(f Filter) []Kernel {
	c.mu.RLock()
	out := make([]Kernel, 0, len(c.kernels))
	for _, k := range c.kernels {
		if f.Match(k) {
			out = append(out, *k)
		}
	}
	c.mu.RUnlock()
	slices.SortFunc(out, func(a, b Kernel) int { return CompareKeys(a.Key, b.Key) })
	return out
}

// CompareKeys orders keys by distro, version, arch and release.
func CompareKeys(a, b Key) int {
	return cmp.Or(
		strings.Compare(a.Distro, b.Distro),
		strings.Compare(a.VersionID, b.VersionID),
		strings.Compare(a.Arch, b.Arch),
		strings.Compare(a.Release, b.Release),
	)
}
