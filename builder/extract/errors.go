package extract

import (
	"errors"
	"fmt"
)

// Stage names the step of the extraction that failed.
type Stage string

// The stages, in pipeline order.
const (
	StageInput      Stage = "input"      // opening or sniffing the input
	StageAr         Stage = "ar"         // the .deb's ar archive
	StageTar        Stage = "tar"        // data.tar and its compression
	StageBzImage    Stage = "bzimage"    // the x86 boot setup header
	StageDecompress Stage = "decompress" // the kernel payload's compression
	StageELF        Stage = "elf"        // the vmlinux ELF
	StageBTF        Stage = "btf"        // the BTF itself
	StagePahole     Stage = "pahole"     // DWARF → BTF through pahole
)

// Sentinels wrapped by *Error.
var (
	ErrNotDeb        = errors.New("not a Debian package (bad ar magic)")
	ErrNoKernel      = errors.New("no boot/vmlinuz-* in package")
	ErrNoBTF         = errors.New("kernel has no BTF and no DWARF")
	ErrUnsupported   = errors.New("unsupported format")
	ErrTruncated     = errors.New("truncated input")
	ErrPaholeMissing = errors.New("pahole not found on PATH (install the pahole/dwarves package)")
)

// Error is an extraction failure at one Stage.
type Error struct {
	Stage Stage
	Err   error
}

var _ error = (*Error)(nil)

func (e *Error) Error() string { return "extract " + string(e.Stage) + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// fail wraps err in an *Error for stage unless it already is one.
func fail(stage Stage, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Stage: stage, Err: err}
}

// failf builds an *Error for stage from a format.
func failf(stage Stage, format string, a ...any) error {
	return &Error{Stage: stage, Err: fmt.Errorf(format, a...)}
}
