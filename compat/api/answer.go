package api

// Answer is the reply of POST /v1/resolve.
type Answer struct {
	Status    Status    `json:"status"`
	Kernel    string    `json:"kernel,omitempty"`     // catalog key distro/version_id/arch/release
	MatchedBy string    `json:"matched_by,omitempty"` // "banner" or "key"; empty when nothing matched
	Probe     string    `json:"probe,omitempty"`      // probe version the answer is for
	Artifact  *Artifact `json:"artifact,omitempty"`   // the published artifact, pinned by digest
	BTFNeeded bool      `json:"btf_needed"`           // the kernel has no built-in BTF: load with the artifact's
	Reasons   []string  `json:"reasons,omitempty"`
	Evidence  []Run     `json:"evidence,omitempty"` // kernel-matrix runs of this kernel and probe version
	Nvidia    *Nvidia   `json:"nvidia,omitempty"`   // present when the facts name a driver
}

// Artifact is a published per-kernel artifact.
type Artifact struct {
	Ref       string `json:"ref"`                  // repository@sha256:..., pinned by digest
	Digest    string `json:"digest"`               // manifest digest
	BTFSHA256 string `json:"btf_sha256,omitempty"` // sha256 of the minimized BTF it carries
}

// Nvidia answers "kernel K with driver D: supported?" from the NVIDIA
// driver branches packaged for the kernel.
type Nvidia struct {
	Driver    string   `json:"driver"`    // as reported: 550.54.15
	Branch    string   `json:"branch"`    // R550
	Supported bool     `json:"supported"` // the branch is packaged for this kernel
	Branches  []string `json:"branches"`  // every branch packaged for the kernel
	// Packaged is "yes", "no", or "unknown" when the catalog has no driver
	// data for the kernel (its source did not list driver packages).
	Packaged string `json:"packaged"`
	// Version is the packaged driver version of the branch, when known.
	Version string `json:"version,omitempty"`
	// Profile is the GPU profile the sensor's filter uses for the driver
	// (R550); empty when it has none for the branch (the filter stays off).
	Profile string `json:"profile,omitempty"`
}

// NvidiaDriver is one NVIDIA driver branch packaged for a kernel.
type NvidiaDriver struct {
	Branch  string `json:"branch"`            // 535, 535-server, 550-open
	Version string `json:"version,omitempty"` // 535.183.01
	Package string `json:"package,omitempty"` // linux-modules-nvidia-535-5.15.0-91-generic
}
