// Package bytecode embeds the compiled capture probe, one ELF object per
// architecture, for the loader (sensor/probe) and for the build side, which
// computes minimized BTF from the objects' CO-RE relocations. It imports no
// loader and no cgo.
//
// The objects are written by `go generate ./sensor/probe` (bpf2go).
package bytecode

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"runtime"
	"slices"

	"github.com/cilium/ebpf"
)

// ErrNoObject is returned for an architecture the probe is not built for.
var ErrNoObject = errors.New("no probe object for architecture")

var (
	//go:embed probe_x86_bpfel.o
	amd64Object []byte
	//go:embed probe_arm64_bpfel.o
	arm64Object []byte
)

var objects = map[string][]byte{"amd64": amd64Object, "arm64": arm64Object}

// Arches returns the GOARCH values the probe is built for, sorted.
func Arches() []string {
	out := make([]string, 0, len(objects))
	for a := range objects {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// Object returns the ELF object for goarch (e.g. "amd64"). The slice is
// shared: do not modify it. Errors wrap ErrNoObject.
func Object(goarch string) ([]byte, error) {
	b, ok := objects[goarch]
	if !ok {
		return nil, fmt.Errorf("%w %q (have %v)", ErrNoObject, goarch, Arches())
	}
	return b, nil
}

// Spec parses the object for goarch. Each call returns a fresh spec.
func Spec(goarch string) (*ebpf.CollectionSpec, error) {
	b, err := Object(goarch)
	if err != nil {
		return nil, err
	}
	spec, err := ebpf.LoadCollectionSpecFromReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("parse probe object for %s: %w", goarch, err)
	}
	return spec, nil
}

// Native returns the spec for the running architecture.
func Native() (*ebpf.CollectionSpec, error) { return Spec(runtime.GOARCH) }
