package api

// Alias is a distribution meta-package (linux-image-generic-hwe-22.04,
// linux-image-cloud-amd64) as GET /v1/aliases shows it: the kernel a fresh
// node installing it boots today, and that kernel's status for the newest
// probe version.
type Alias struct {
	Name      string `json:"name"`              // the meta-package
	Version   string `json:"version,omitempty"` // its package version
	Distro    string `json:"distro"`
	VersionID string `json:"version_id"`
	Arch      string `json:"arch"`
	Release   string `json:"release"` // uname -r of the kernel it depends on
	Kernel    string `json:"kernel"`  // that kernel's key, distro/version_id/arch/release
	// Status is the kernel's status for the newest probe version: pending
	// when it is in the catalog but not built, unknown when the catalog
	// does not hold it (the alias points past the crawled pockets).
	Status Status `json:"status"`
	Source string `json:"source,omitempty"` // the crawl that reported it
}

// AliasList is GET /v1/aliases.
type AliasList struct {
	Aliases []Alias `json:"aliases"`
}
