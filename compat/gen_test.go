package compat

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/probehub/probehub/compat/api"
	"github.com/probehub/probehub/kernels"
)

// genProbes are the probe versions of a generated catalog.
var genProbes = []string{"0.1.0", "0.2.0"}

// genCatalog makes a catalog of n kernels over six distro releases: 80%
// supported (with an artifact), 10% unsupported, 10% not built, by probe.
func genCatalog(n int) *Static {
	distros := []struct{ id, version, flavour string }{
		{"ubuntu", "20.04", "generic"}, {"ubuntu", "22.04", "generic"}, {"ubuntu", "24.04", "aws"},
		{"debian", "11", "cloud-amd64"}, {"debian", "12", "amd64"}, {"amzn", "2", "amzn2"},
	}
	s := &Static{}
	for i := range n {
		d := distros[i%len(distros)]
		k := kernels.Key{Distro: d.id, VersionID: d.version, Arch: "x86_64", Release: fmt.Sprintf("%d.%d.0-%d-%s", 4+i%3, i%20, i/6, d.flavour)}
		s.KernelList = append(s.KernelList, Kernel{Key: k, Banner: genBanner(k, i), Flavour: d.flavour, BTF: i%4 != 0, Nvidia: []string{"535", "550"}[:i%3]})
		for _, p := range genProbes {
			switch i % 10 {
			case 0:
				continue
			case 1:
				s.VerdictList = append(s.VerdictList, Verdict{Key: k, Probe: p, Status: api.Unsupported, Reasons: []string{"relocation: no field loginuid"}})
			default:
				sum := sha256.Sum256([]byte(k.String() + p))
				dg := "sha256:" + hex.EncodeToString(sum[:])
				s.VerdictList = append(s.VerdictList, Verdict{Key: k, Probe: p, Status: api.Supported, BTFSHA256: hex.EncodeToString(sum[:])})
				s.ArtifactList = append(s.ArtifactList, Artifact{Key: k, Banner: genBanner(k, i), Probe: p, Ref: "localhost:5000/probehub/btf@" + dg, Digest: dg})
			}
		}
	}
	return s
}

func genBanner(k kernels.Key, i int) string {
	return "Linux version " + k.Release + " (builder@" + k.Distro + ") (gcc 12.2.0) #" + strconv.Itoa(i) + " SMP PREEMPT_DYNAMIC"
}

// genBodies returns n resolve requests over the catalog: most by banner,
// some by key, some for kernels not in it.
func genBodies(s *Static, n int) []string {
	out := make([]string, n)
	for i := range out {
		k := s.KernelList[(i*7919)%len(s.KernelList)]
		f := api.Facts{Distro: k.Key.Distro, VersionID: k.Key.VersionID, Arch: k.Key.Arch, Release: k.Key.Release}
		switch i % 4 {
		case 0, 1:
			f.ProcVersion = k.Banner
		case 2:
			f.NvidiaDriver = "550.54.15"
		default:
			f.Release = "9.9.9-" + strconv.Itoa(i)
		}
		b, _ := json.Marshal(f)
		out[i] = string(b)
	}
	return out
}
