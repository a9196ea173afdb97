package api

// Status is the answer to "will the sensor run on this kernel?".
type Status string

// The statuses, from most to least certain.
const (
	// Supported: the probes relocate against this kernel's BTF; Artifact
	// (when BTFNeeded) is the minimized BTF to load them with.
	Supported Status = "supported"
	// Unsupported: the build proved the probes cannot load; Reasons say why.
	Unsupported Status = "unsupported"
	// Pending: the kernel is in the catalog but has not been built (or its
	// artifact not published) for this probe version yet.
	Pending Status = "pending"
	// Unknown: the kernel is not in the catalog, or the build was
	// inconclusive, or the banner does not match the catalog's.
	Unknown Status = "unknown"
)

// Valid reports whether s is one of the four statuses.
func (s Status) Valid() bool {
	switch s {
	case Supported, Unsupported, Pending, Unknown:
		return true
	}
	return false
}
