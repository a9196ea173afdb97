package compat

import (
	"context"
	"fmt"

	"github.com/probehub/probehub/compat/api"
	"github.com/probehub/probehub/kernels"
)

// CatalogFile is a Catalog over the kernel catalog file (kernels.Load; in the
// data directory it is kernels.CatalogFile). A missing file is an empty
// catalog.
type CatalogFile string

var _ Catalog = CatalogFile("")

// Kernels reads the file.
func (p CatalogFile) Kernels(context.Context) ([]Kernel, error) {
	c, err := kernels.Load(string(p))
	if err != nil {
		return nil, fmt.Errorf("load catalog: %w", err)
	}
	all := c.All()
	out := make([]Kernel, len(all))
	for i, k := range all {
		out[i] = fromCatalog(k)
	}
	return out, nil
}

func fromCatalog(k kernels.Kernel) Kernel {
	flavour := k.Flavour
	if flavour == "" {
		flavour = kernels.FlavourOf(k.Release)
	}
	out := Kernel{Key: k.Key, Banner: k.Banner, Flavour: flavour, BTF: k.BTF == kernels.BTFBuiltin, Nvidia: k.NVIDIA,
		NvidiaData: k.NVIDIAData || len(k.NVIDIA) > 0}
	for _, d := range k.Drivers {
		out.Drivers = append(out.Drivers, api.NvidiaDriver{Branch: d.Branch, Version: d.Version, Package: d.Package})
	}
	return out
}
