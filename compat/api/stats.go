package api

// Stats is GET /v1/stats: coverage of the catalog for the newest probe
// version (or the one asked for).
type Stats struct {
	Probe    string         `json:"probe,omitempty"` // the probe version the statuses are for
	Kernels  int            `json:"kernels"`
	ByStatus map[Status]int `json:"by_status"`
	Booted   int            `json:"booted"` // kernels the kernel matrix booted with this probe version
	// Groups count kernels per distro, VERSION_ID, flavour and arch.
	Groups []StatsGroup `json:"groups"`
	// Reasons are why kernels are not supported, most common first.
	Reasons []ReasonCount `json:"reasons,omitempty"`
}

// StatsGroup is one distro/version/flavour/arch row of Stats.
type StatsGroup struct {
	Distro      string `json:"distro"`
	VersionID   string `json:"version_id"`
	Flavour     string `json:"flavour"`
	Arch        string `json:"arch"`
	Kernels     int    `json:"kernels"`
	Supported   int    `json:"supported"`
	Unsupported int    `json:"unsupported"`
	Pending     int    `json:"pending"`
	Unknown     int    `json:"unknown"`
	Booted      int    `json:"booted"`
}

// ReasonCount is one reason and how many kernels give it.
type ReasonCount struct {
	Status  Status `json:"status"`
	Reason  string `json:"reason"`
	Kernels int    `json:"kernels"`
}
