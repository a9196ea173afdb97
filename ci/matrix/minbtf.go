package matrix

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/probehub/probehub/builder/extract"
	"github.com/probehub/probehub/builder/minimize"
	"github.com/probehub/probehub/sensor/probe/bytecode"
)

// MinimizedBTFKey identifies what MinimizedBTF computes besides the kernel:
// a digest of the probe object it minimizes for (Options.MinBTFKey).
func MinimizedBTFKey() string {
	obj, err := bytecode.ObjectFor("amd64", bytecode.Portable)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(obj)
	return hex.EncodeToString(sum[:8])
}

// MinimizedBTF extracts the BTF of the kernel in deb and minimizes it for the
// sensor's portable probe of arch (amd64, arm64) (the variant a sensor loads with a BTF file): what
// the kernel's artifact carries, for the detached-BTF and no-BTF rows. deb is
// anything builder/extract reads: a .deb, or the BTF file of an oci row's
// kernel image.
func MinimizedBTF(ctx context.Context, deb, arch string) ([]byte, error) {
	obj, err := bytecode.ObjectFor(arch, bytecode.Portable)
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
