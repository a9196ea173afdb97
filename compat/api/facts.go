package api

// Facts are what a node reports about itself to POST /v1/resolve. Distro,
// VersionID, Arch and Release are required; the rest are optional.
type Facts struct {
	Distro       string `json:"distro"`                  // os-release ID: ubuntu, debian
	VersionID    string `json:"version_id"`              // os-release VERSION_ID: 22.04, 12
	Arch         string `json:"arch"`                    // uname -m: x86_64, aarch64
	Release      string `json:"release"`                 // uname -r
	UnameV       string `json:"uname_v,omitempty"`       // uname -v: #1 SMP PREEMPT_DYNAMIC ...
	ProcVersion  string `json:"proc_version,omitempty"`  // /proc/version, the banner; matched exactly when given
	NvidiaDriver string `json:"nvidia_driver,omitempty"` // NVIDIA driver version: 550.54.15
	Probe        string `json:"probe,omitempty"`         // probe version wanted; empty means the newest known
	// KernelBTF says the node has its own BTF (/sys/kernel/btf/vmlinux):
	// where the node's build differs from the catalog's, the answer can
	// still be "supported" through it, never with another build's artifact.
	KernelBTF bool `json:"kernel_btf,omitempty"`
}
