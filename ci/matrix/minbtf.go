package matrix

import (
	"context"
	"fmt"

	"github.com/probehub/probehub/builder/extract"
	"github.com/probehub/probehub/builder/minimize"
	"github.com/probehub/probehub/sensor/probe/bytecode"
)

// MinimizedBTF extracts the BTF of the kernel in deb and minimizes it for the
// sensor's portable probe (the variant a sensor loads with a BTF file): what
// the kernel's artifact carries, for the detached-BTF and no-BTF rows. deb is
// anything builder/extract reads: a .deb, or the BTF file of an oci row's
// kernel image.
func MinimizedBTF(ctx context.Context, deb string) ([]byte, error) {
	obj, err := bytecode.ObjectFor("amd64", bytecode.Portable)
	if err != nil {
		return nil, err
	}
	o, err := minimize.ParseObject(obj)
	if err != nil {
		return nil, fmt.Errorf("parse probe object: %w", err)
	}
	ex, err := extract.FromFile(ctx, deb, nil)
	if err != nil {
		return nil, err
	}
	k, err := minimize.ParseKernel(ex.BTF)
	if err != nil {
		return nil, fmt.Errorf("parse kernel BTF: %w", err)
	}
	res, err := o.MinimizeRaw(k)
	if err != nil {
		return nil, fmt.Errorf("minimize BTF of %s: %w", deb, err)
	}
	return res.BTF, nil
}
