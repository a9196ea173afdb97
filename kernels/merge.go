package kernels

import (
	"encoding/json"
	"slices"
	"strings"
)

// merge folds n into k: empty fields of k take n's values, packages are
// filled in, NVIDIA branches and sources are united, and the BTF source
// becomes the better one. It reports whether k changed.
func merge(k *Kernel, n Kernel) bool {
	before := k.fingerprint()
	fill(&k.Codename, n.Codename)
	fill(&k.Version, n.Version)
	fill(&k.Build, n.Build)
	fill(&k.Flavour, n.Flavour)
	fill(&k.Banner, n.Banner)
	fillPkg(&k.Packages.Image, n.Packages.Image)
	fillPkg(&k.Packages.Debug, n.Packages.Debug)
	fillPkg(&k.Packages.Headers, n.Packages.Headers)
	if btfRank(n.BTF) > btfRank(k.BTF) {
		k.BTF = n.BTF
	}
	k.NVIDIA = union(k.NVIDIA, n.NVIDIA)
	k.Drivers = unionDrivers(k.Drivers, n.Drivers)
	k.NVIDIAData = k.NVIDIAData || n.NVIDIAData
	if len(k.Packages.Alternates) == 0 {
		k.Packages.Alternates = slices.Clone(n.Packages.Alternates)
	} else {
		fillAlternates(k.Packages.Alternates, n.Packages)
	}
	k.Sources = union(k.Sources, n.Sources)
	return k.fingerprint() != before
}

func fill(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

func fillPkg(dst **Package, v *Package) {
	if v == nil {
		return
	}
	if *dst == nil {
		p := *v
		*dst = &p
		return
	}
	d := *dst
	if d.Name != v.Name || d.Version != v.Version {
		return // a different package: keep the first one seen
	}
	fillSums(d, v)
}

// fillSums takes v's URL, sha256 and size where d lacks them (the same
// package); a known sha256 clears the reason it was unknown.
func fillSums(d, v *Package) {
	fill(&d.URL, v.URL)
	fill(&d.SHA256, v.SHA256)
	if d.Size == 0 {
		d.Size = v.Size
	}
	if d.SHA256 != "" {
		d.NoSHA256 = ""
	}
}

// fillAlternates fills the sums of alts from the same packages (name and
// version) among n's image and alternates: a kernel-crawler entry merged
// with an apt crawl of the same archive gets every hash.
func fillAlternates(alts []Package, n Packages) {
	for i := range alts {
		for _, v := range append([]Package{derefPkg(n.Image)}, n.Alternates...) {
			if v.Name == alts[i].Name && v.Version == alts[i].Version && v.FileName() == alts[i].FileName() {
				fillSums(&alts[i], &v)
			}
		}
	}
}

func derefPkg(p *Package) Package {
	if p == nil {
		return Package{}
	}
	return *p
}

func btfRank(s BTFSource) int {
	return map[BTFSource]int{BTFBuiltin: 4, BTFHub: 3, BTFDWARF: 2, BTFNone: 1}[s]
}

// union returns the sorted, de-duplicated union of a and b.
func union(a, b []string) []string {
	if len(b) == 0 {
		return a
	}
	out := slices.Concat(a, b)
	slices.Sort(out)
	return slices.Compact(out)
}

// fingerprint is a comparable rendering of everything merge may change.
func (k *Kernel) fingerprint() string {
	b, _ := json.Marshal(k)
	return string(b)
}

// unionDrivers adds b's drivers to a, one per branch and package: a newer
// crawl's version replaces an older one.
func unionDrivers(a, b []NVIDIADriver) []NVIDIADriver {
	if len(b) == 0 {
		return a
	}
	out := slices.Clone(a)
	for _, d := range b {
		i := slices.IndexFunc(out, func(x NVIDIADriver) bool { return x.Branch == d.Branch && x.Package == d.Package })
		switch {
		case i < 0:
			out = append(out, d)
		case d.Version != "":
			out[i].Version = d.Version
		}
	}
	slices.SortFunc(out, func(x, y NVIDIADriver) int { return strings.Compare(x.Branch+" "+x.Package, y.Branch+" "+y.Package) })
	return out
}
