// Package matrixrow is the format of the kernel matrix's results.json: one
// Row per booted kernel, as ci/matrix writes it and the compatibility
// service reads it. It is a leaf package (only the guest protocol,
// wire/job, and the standard library), so a reader does not link the qemu
// runner.
package matrixrow

import "github.com/probehub/probehub/wire/job"

// BTFMode says where the sensor in the guest takes its kernel types from.
type BTFMode string

const (
	BTFBuiltin  BTFMode = "builtin"  // /sys/kernel/btf/vmlinux
	BTFDetached BTFMode = "detached" // the artifact's minimized BTF, ignoring the kernel's
	// BTFNone: the kernel has no BTF of its own (built with
	// CONFIG_DEBUG_INFO_BTF=n); the sensor loads with the artifact's
	// minimized BTF and the row fails if /sys/kernel/btf/vmlinux exists.
	BTFNone BTFMode = "none"
)

// FromArtifact reports whether the sensor loads with the minimized BTF of
// the kernel's artifact (baked into the guest) rather than the kernel's.
func (m BTFMode) FromArtifact() bool { return m == BTFDetached || m == BTFNone }

// Row is one kernel's result.
type Row struct {
	Name        string  `json:"name"`
	Package     string  `json:"package"`
	Release     string  `json:"release"`
	Key         string  `json:"key"`
	BTF         BTFMode `json:"btf"`
	OK          bool    `json:"ok"`
	FailedStep  string  `json:"failed_step,omitempty"`
	Error       string  `json:"error,omitempty"`
	BootSeconds float64 `json:"boot_seconds"`
	// PrepSeconds is the host's work before the boot: resolving and
	// fetching the package, the kernel image, the minimized BTF and the
	// initramfs.
	PrepSeconds float64    `json:"prep_seconds"`
	Accel       string     `json:"accel,omitempty"`
	Guest       job.Result `json:"guest"`
	Log         string     `json:"log"`
	// Skipped says why the row did not run (an oci row whose kernel image
	// is not in the kernel store); such a row is neither passed nor failed.
	Skipped string `json:"skipped,omitempty"`
}
