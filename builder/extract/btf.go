package extract

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/cilium/ebpf/btf"
)

// validateBTF parses raw with cilium/ebpf and returns its type count, the
// highest type ID (what `bpftool btf dump` lists as [1]…[N]).
func validateBTF(raw []byte) (int, error) {
	if len(raw) < btfHeaderLen || raw[0] != 0x9f || raw[1] != 0xeb {
		return 0, failf(StageBTF, "no BTF magic 0xeB9F in %d bytes", len(raw))
	}
	spec, err := btf.LoadSpecFromReader(bytes.NewReader(raw))
	if err != nil {
		return 0, failf(StageBTF, "parse BTF: %w", err)
	}
	n, err := countTypes(spec)
	if err != nil {
		return 0, failf(StageBTF, "parse BTF: %w", err)
	}
	return n, nil
}

// countTypes finds the highest valid type ID by bisection; type IDs are
// dense from 1.
func countTypes(spec *btf.Spec) (int, error) {
	lo, hi := 0, 1 // lo is valid (void), hi is the first probe
	for ; ; hi *= 2 {
		ok, err := hasType(spec, hi)
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
		lo = hi
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		ok, err := hasType(spec, mid)
		if err != nil {
			return 0, err
		}
		if ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo, nil
}

func hasType(spec *btf.Spec, id int) (bool, error) {
	_, err := spec.TypeByID(btf.TypeID(id))
	if errors.Is(err, btf.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("type %d: %w", id, err)
	}
	return true, nil
}
