package probe

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/internal/caps"
	"github.com/probehub/probehub/internal/testutil"
)

// TestMemlockCapability covers CAP_SYS_RESOURCE. This kernel accounts BPF
// memory to the memory cgroup (5.11+), so raising RLIMIT_MEMLOCK is a
// no-op: the sensor starts with RLIMIT_MEMLOCK 0 and without the capability
// (deploy/helm's TestLeastPrivilege runs it so). Older kernels charge maps
// to RLIMIT_MEMLOCK, and without CAP_SYS_RESOURCE the raise fails with
// EPERM; that path is taken here with the error cilium/ebpf v0.22's
// rlimit.RemoveMemlock returns there ("failed to set memlock rlimit: %w"
// around the prlimit errno): the sensor must name the missing capability.
func TestMemlockCapability(t *testing.T) {
	testutil.RequireRoot(t) // CAP_BPF and CAP_PERFMON, checked first
	if err := removeMemlock(); err != nil {
		t.Fatalf("rlimit.RemoveMemlock on this kernel: %v", err)
	}
	var before unix.Rlimit
	if err := unix.Prlimit(0, unix.RLIMIT_MEMLOCK, nil, &before); err != nil {
		t.Fatal(err)
	}
	old := removeMemlock
	t.Cleanup(func() { removeMemlock = old })
	for _, tc := range []struct {
		desc    string
		err     error
		wantCap bool
		want    string
	}{
		{"kernel needs it, capability present (the raise succeeds)", nil, false, ""},
		{"kernel needs it, capability absent", fmt.Errorf("failed to set memlock rlimit: %w", unix.EPERM), true, "CAP_SYS_RESOURCE"},
		{"another failure", fmt.Errorf("failed to set memlock rlimit: %w", unix.EINVAL), false, "remove memlock limit"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			removeMemlock = func() error { return tc.err }
			err := checkCaps()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("checkCaps: %v", err)
				}
				return
			}
			var me *caps.MissingError
			if got := errors.As(err, &me) && me.Cap == caps.SysResource; got != tc.wantCap {
				t.Errorf("checkCaps: %v: names a missing CAP_SYS_RESOURCE %v, want %v", err, got, tc.wantCap)
			}
			if tc.wantCap && !errors.Is(err, ErrPermission) {
				t.Errorf("checkCaps: %v does not wrap ErrPermission", err)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("checkCaps: %v, want a message with %q", err, tc.want)
			}
			t.Logf("%s: %v", tc.desc, err)
		})
	}
	var after unix.Rlimit
	if err := unix.Prlimit(0, unix.RLIMIT_MEMLOCK, nil, &after); err != nil || after != before {
		t.Errorf("RLIMIT_MEMLOCK changed by the no-op raise: %+v → %+v (%v)", before, after, err)
	}
}
