package api

// Kernel is a catalog kernel as GET /v1/kernels and /v1/kernels/{key} show
// it. The list leaves out each probe's reasons, features, artifact and
// evidence; the single-kernel view has them.
type Kernel struct {
	Key       string         `json:"key"` // distro/version_id/arch/release
	Distro    string         `json:"distro"`
	VersionID string         `json:"version_id"`
	Arch      string         `json:"arch"`
	Release   string         `json:"release"`
	Flavour   string         `json:"flavour,omitempty"`
	Banner    string         `json:"banner,omitempty"`
	BTF       bool           `json:"btf"` // the kernel has built-in BTF (/sys/kernel/btf/vmlinux)
	Nvidia    []string       `json:"nvidia_branches,omitempty"`
	Drivers   []NvidiaDriver `json:"nvidia_drivers,omitempty"`
	Probes    []ProbeResult  `json:"probes"` // one per known probe version, oldest first
}

// ProbeResult is what the build side knows of one kernel × probe version.
type ProbeResult struct {
	Probe    string    `json:"probe"`
	Status   Status    `json:"status"`
	Reasons  []string  `json:"reasons,omitempty"`
	Features []string  `json:"features,omitempty"`
	Artifact *Artifact `json:"artifact,omitempty"`
	Evidence []Run     `json:"evidence,omitempty"`
}

// KernelPage is one page of GET /v1/kernels. NextCursor is opaque; pass it
// back as ?cursor= for the next page. It is empty on the last page.
type KernelPage struct {
	Kernels    []Kernel `json:"kernels"`
	NextCursor string   `json:"next_cursor,omitempty"`
}

// Probe is one probe version as GET /v1/probes shows it, with counts of
// kernels by status.
type Probe struct {
	Version     string `json:"version"`
	Supported   int    `json:"supported"`
	Unsupported int    `json:"unsupported"`
	Pending     int    `json:"pending"`
	Unknown     int    `json:"unknown"`
	Artifacts   int    `json:"artifacts"`
	Runs        int    `json:"runs"`
}

// Matrix is GET /v1/matrix: kernels × probe versions.
type Matrix struct {
	Probes []string    `json:"probes"`
	Rows   []MatrixRow `json:"rows"`
}

// MatrixRow is one kernel's statuses, in the order of Matrix.Probes.
type MatrixRow struct {
	Kernel  string   `json:"kernel"`
	Release string   `json:"release"`
	Cells   []Status `json:"cells"`
}

// Error is the body of every 4xx and 5xx answer. Field names the request
// field at fault, when one is.
type Error struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
}

// BuildRequest is the body of POST /v1/builds.
type BuildRequest struct {
	Kernel string `json:"kernel"`          // catalog key distro/version_id/arch/release
	Probe  string `json:"probe,omitempty"` // probe version; empty means the newest
}

// BuildQueued is the 202 answer of POST /v1/builds.
type BuildQueued struct {
	ID     string `json:"id"`
	Kernel string `json:"kernel"`
	Probe  string `json:"probe,omitempty"`
	State  string `json:"state"` // "queued"
}

// Refreshed is the answer of POST /v1/catalog/refresh.
type Refreshed struct {
	Kernels int      `json:"kernels"`
	Probes  []string `json:"probes"`
}
