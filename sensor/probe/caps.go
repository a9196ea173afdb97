package probe

import (
	"errors"
	"fmt"
	"os"

	"github.com/cilium/ebpf/rlimit"

	"github.com/probehub/probehub/internal/caps"
)

// removeMemlock raises RLIMIT_MEMLOCK where the kernel charges BPF memory
// to it; a no-op on kernels with memory-cgroup accounting. A variable so a
// test can take the pre-5.11 path on a newer kernel.
var removeMemlock = rlimit.RemoveMemlock

// checkCaps makes sure this process may load and attach the probes and
// names the capability it lacks otherwise (wrapping ErrPermission and a
// *caps.MissingError):
//
//   - CAP_BPF: create maps, load programs (CAP_SYS_ADMIN before Linux 5.8).
//   - CAP_PERFMON: tracing programs and perf events, i.e. attaching to
//     tracepoints and reading kernel memory with bpf_probe_read_kernel
//     (CAP_SYS_ADMIN before 5.8).
//   - CAP_DAC_READ_SEARCH: only when not running as root (ambient
//     capabilities): tracefs is mode 0700, owned by root, and the tracepoint
//     IDs are read from it.
//   - CAP_SYS_RESOURCE: only on kernels without memory-cgroup accounting of
//     BPF memory (before 5.11, upstream commit 97306be45fbe), which charge
//     maps to RLIMIT_MEMLOCK and need the limit raised.
func checkCaps() error {
	eff, err := caps.Effective()
	if err != nil {
		return err
	}
	if err := eff.Check(
		caps.Need{Cap: caps.BPF, Or: []caps.Cap{caps.SysAdmin}, For: "loading the eBPF probes"},
		caps.Need{Cap: caps.Perfmon, Or: []caps.Cap{caps.SysAdmin}, For: "attaching the probes to tracepoints"},
	); err != nil {
		return fmt.Errorf("%w: %w", ErrPermission, err)
	}
	if os.Geteuid() != 0 {
		if err := eff.Check(caps.Need{Cap: caps.DACReadSearch, Or: []caps.Cap{caps.DACOverride},
			For: "reading tracepoint IDs from tracefs (mode 0700, owned by root) as a non-root user"}); err != nil {
			return fmt.Errorf("%w: %w", ErrPermission, err)
		}
	}
	if err := removeMemlock(); err != nil {
		if errors.Is(err, os.ErrPermission) {
			return fmt.Errorf("%w: %w", ErrPermission, &caps.MissingError{Cap: caps.SysResource,
				For: "raising RLIMIT_MEMLOCK on this kernel (before 5.11 BPF maps are charged to it)"})
		}
		return fmt.Errorf("remove memlock limit: %w", err)
	}
	return nil
}
