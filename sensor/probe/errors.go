package probe

import "errors"

var (
	// ErrUnknownType is wrapped when an event type has no capture plan or
	// no syscall on this architecture.
	ErrUnknownType = errors.New("unknown event type")
	// ErrUnknownVariant is wrapped when Options.Variant names no build of
	// the probe.
	ErrUnknownVariant = errors.New("unknown probe variant")
	// ErrUnknownAttach is wrapped when Options.Attach names no attach mode.
	ErrUnknownAttach = errors.New("unknown attach mode")
	// ErrAttach is wrapped when Options.Attach asks for AttachSyscalls and
	// the variant or the kernel cannot do it.
	ErrAttach = errors.New("cannot attach per-syscall tracepoints")
	// ErrPermission is wrapped when the kernel refuses to load or attach
	// for lack of privileges; when a capability is known to be missing the
	// error also wraps a *caps.MissingError naming it.
	ErrPermission = errors.New("not permitted to load eBPF programs")
	// ErrTracefs is wrapped when tracefs is not mounted and cannot be.
	ErrTracefs = errors.New("tracefs is not available")
	// ErrReloadTypes is wrapped by SetTypes when the new types need a
	// program the probe was loaded without: only a new Load captures them.
	ErrReloadTypes = errors.New("these event types need the probe loaded again")
	// ErrClosed is returned by Read after Close.
	ErrClosed = errors.New("probe closed")
)
