package buildresult

import (
	"errors"

	"github.com/probehub/probehub/kernels"
)

// ErrorKind classes a kernel's failed build, so that a reader can branch
// on it without parsing the message.
type ErrorKind string

// The kinds of failed builds.
const (
	FailFetch    ErrorKind = "fetch"    // the input could not be fetched or found
	FailExtract  ErrorKind = "extract"  // no BTF could be extracted from the input
	FailInput    ErrorKind = "input"    // the input names no kernel, or another one
	FailBTF      ErrorKind = "btf"      // the extracted BTF does not parse
	FailMinimize ErrorKind = "minimize" // the minimized BTF could not be made
)

// ErrBuild is wrapped by every *BuildError.
var ErrBuild = errors.New("kernel build failed")

// BuildError is one kernel's failed build. In the process that built the
// kernel Err is the original error, so errors.Is and errors.As see its whole
// chain (fs.ErrNotExist of a missing input, an extractor's sentinel); read
// back from result.json it is the recorded message.
type BuildError struct {
	Kernel kernels.Key
	Kind   ErrorKind
	Err    error
}

var _ error = (*BuildError)(nil)

func (e *BuildError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *BuildError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrBuild) hold.
func (e *BuildError) Is(target error) bool { return target == ErrBuild }

// Failure returns r's build error: nil when the kernel built, the
// *BuildError kept in r.Err when r was made in this process, else one
// rebuilt from Error and ErrorKind.
func (r *Result) Failure() error {
	switch {
	case r.Err != nil:
		return r.Err
	case r.Error == "":
		return nil
	}
	return &BuildError{Kernel: r.Kernel, Kind: r.ErrorKind, Err: errors.New(r.Error)}
}
