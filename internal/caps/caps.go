// Package caps reads the Linux capabilities this process holds and names the
// ones a task is missing, so that a sensor started with too few fails with
// the capability's name instead of a bare EPERM.
//
// Sets are read from /proc/self/status (CapEff), which needs no syscall and
// reads the same inside a container as on the host.
package caps

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Cap is one capability, by its number in linux/capability.h.
type Cap uint

// The capabilities the sensor's checks name.
const (
	DACOverride   Cap = 1
	DACReadSearch Cap = 2
	SysPtrace     Cap = 19
	SysAdmin      Cap = 21
	SysResource   Cap = 24
	Perfmon       Cap = 38 // Linux 5.8
	BPF           Cap = 39 // Linux 5.8
)

var names = map[Cap]string{
	DACOverride: "CAP_DAC_OVERRIDE", DACReadSearch: "CAP_DAC_READ_SEARCH", SysPtrace: "CAP_SYS_PTRACE", SysAdmin: "CAP_SYS_ADMIN",
	SysResource: "CAP_SYS_RESOURCE", Perfmon: "CAP_PERFMON", BPF: "CAP_BPF",
}

// String returns the capability's name as capabilities(7) writes it.
func (c Cap) String() string {
	if n, ok := names[c]; ok {
		return n
	}
	return "CAP_" + strconv.Itoa(int(c))
}

// Set is a capability bit set, as the kernel reports it.
type Set uint64

// Has reports whether c is in s.
func (s Set) Has(c Cap) bool { return c < 64 && s&(1<<c) != 0 }

// ErrMissing is wrapped by every MissingError.
var ErrMissing = errors.New("missing capability")

// MissingError names a capability a task needs and what it is needed for.
type MissingError struct {
	Cap Cap
	For string
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("%s is missing from the effective set: %s needs it", e.Cap, e.For)
}

// Is makes errors.Is(err, ErrMissing) true.
func (e *MissingError) Is(target error) bool { return target == ErrMissing }

// Effective returns this process's effective capability set.
func Effective() (Set, error) { return fromStatus("/proc/self/status", "CapEff:") }

func fromStatus(path, key string) (Set, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("read capabilities: %w", err)
	}
	defer func() { _ = f.Close() }() // read only: closing loses nothing
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), key); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			if err != nil {
				return 0, fmt.Errorf("%s: parse %s %q: %w", path, key, strings.TrimSpace(v), err)
			}
			return Set(n), nil
		}
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("read %s: %w", path, err)
	}
	return 0, fmt.Errorf("%s: no %s line", path, key)
}

// Need is one requirement: Cap, or any of Or, for the purpose For.
type Need struct {
	Cap Cap
	Or  []Cap // alternatives that also satisfy it (CAP_SYS_ADMIN before 5.8)
	For string
}

// Check returns a *MissingError for the first need s does not meet, in the
// order given, or nil.
func (s Set) Check(needs ...Need) error {
	for _, n := range needs {
		if s.Has(n.Cap) {
			continue
		}
		ok := false
		for _, alt := range n.Or {
			ok = ok || s.Has(alt)
		}
		if !ok {
			return &MissingError{Cap: n.Cap, For: n.For}
		}
	}
	return nil
}
