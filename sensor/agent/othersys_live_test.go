package agent

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/event"
)

// otherRules are rules a Falco user writes on syscalls beyond the upstream
// files' (memory protection, process memory access, fd theft, fcntl dups),
// in Falco's own terms: flag names in evt.arg, fd.name of the event's fd.
const otherRules = `
- rule: Executable memory made by mprotect
  desc: d
  condition: evt.type = mprotect and evt.arg.prot contains PROT_EXEC and evt.arg.length = 12288
  output: wx args=[%%evt.args] prot=%%evt.arg.prot rawprot=%%evt.rawarg.prot cat=%%evt.category
  priority: WARNING
- rule: Process memory read
  desc: d
  condition: evt.type = process_vm_readv and evt.res > 0
  output: pvm pid=%%evt.arg.pid data=%%evt.arg.data proc=%%proc.name
  priority: WARNING
- rule: Fd taken from another process
  desc: d
  condition: evt.type = pidfd_getfd and fd.name = "%[1]s"
  output: getfd fd=%%fd.name type=%%fd.type target=%%evt.arg.target_fd
  priority: WARNING
- rule: Marker file duplicated by fcntl
  desc: d
  condition: evt.type = fcntl and evt.arg.cmd = F_DUPFD_CLOEXEC and fd.name = "%[1]s"
  output: dupfd cmd=%%evt.arg.cmd res=%%evt.res fd=%%fd.name
  priority: WARNING
- rule: Kernel name read
  desc: a generic syscall, named as the kernel names it
  condition: evt.type = uname and proc.cmdline contains "TestHelperProcess"
  output: generic %%evt.type cat=%%evt.category res=%%evt.res
  priority: NOTICE
- rule: Any event of the marker process
  desc: a rule without evt.type does not bring in the frequent syscalls
  condition: proc.aname[9] = probehub-never
  output: any %%evt.type
  priority: DEBUG
`

// TestLiveOtherSyscalls runs a helper that makes mprotect, process_vm_readv,
// pidfd_getfd and fcntl calls, and checks that rules on them fire through
// the real sensor path with Falco's rendering. It also checks the capture
// set: the frequent syscalls are captured because the rules name them,
// not because a rule has no evt.type.
func TestLiveOtherSyscalls(t *testing.T) {
	testutil.RequireRoot(t)
	dir := t.TempDir()
	marker := filepath.Join(dir, "probehub-other-marker")
	if err := os.WriteFile(marker, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	rulesDir := filepath.Join(dir, "rules")
	if err := os.Mkdir(rulesDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(rulesDir, "other.yaml"), fmt.Appendf(nil, otherRules, marker), 0o644); err != nil {
		t.Fatal(err)
	}
	ls := startLive(t, nil, func(c *Config) { c.Rules.Paths = []string{rulesDir} })
	types := ls.ag.SyscallTypes()
	for _, want := range []event.Type{event.TypeMprotect, event.TypeProcessVmReadv, event.TypePidfdGetfd, event.TypeFcntl} {
		if !slices.Contains(types, want) {
			t.Errorf("capture types %v lack %s", types, want)
		}
	}
	getpid, _ := event.ParseType("getpid")
	for _, not := range []event.Type{event.TypeMmap, event.TypeFutex, event.TypeIoctl, getpid} {
		if slices.Contains(types, not) {
			t.Errorf("capture types have %s, which no rule names", not)
		}
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "PROBEHUB_HELPER=other-syscalls", "PROBEHUB_OTHER_FILE="+marker)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("helper: %v: %s", err, out)
	}
	for _, w := range []struct{ rule, marker string }{
		{"Executable memory made by mprotect", "length=12288 prot=5(PROT_READ|PROT_EXEC)"},
		{"Executable memory made by mprotect", "prot=PROT_READ|PROT_EXEC rawprot=5 cat=memory"},
		{"Process memory read", "data=probehub-process-vm-readv"},
		{"Fd taken from another process", "getfd fd=" + marker + " type=file"},
		{"Marker file duplicated by fcntl", "dupfd cmd=F_DUPFD_CLOEXEC res="},
		{"Kernel name read", "generic uname cat=other res=SUCCESS"},
	} {
		if _, ok := ls.def.wait(t, w.rule, w.marker); !ok {
			t.Errorf("no %q alert with %q; %s", w.rule, w.marker, ls.lost(w.rule))
		}
	}
}

// otherHelperAction performs the calls TestLiveOtherSyscalls expects.
func otherHelperAction(name string) bool {
	if name != "other-syscalls" {
		return false
	}
	runtime.LockOSThread()
	b, err := unix.Mmap(-1, 0, 12288, unix.PROT_READ, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil || unix.Mprotect(b, unix.PROT_READ|unix.PROT_EXEC) != nil {
		os.Exit(2)
	}
	src := []byte("probehub-process-vm-readv")
	dst := make([]byte, len(src))
	local := []unix.Iovec{{Base: &dst[0], Len: uint64(len(dst))}}
	remote := []unix.RemoteIovec{{Base: uintptr(unsafe.Pointer(&src[0])), Len: len(src)}}
	if n, err := unix.ProcessVMReadv(os.Getpid(), local, remote, 0); err != nil || n != len(src) {
		os.Exit(3)
	}
	runtime.KeepAlive(src)
	f, err := unix.Open(os.Getenv("PROBEHUB_OTHER_FILE"), unix.O_RDONLY, 0)
	if err != nil {
		os.Exit(4)
	}
	pidfd, err := unix.PidfdOpen(os.Getpid(), 0)
	if err != nil {
		os.Exit(5)
	}
	if _, err := unix.PidfdGetfd(pidfd, f, 0); err != nil {
		fmt.Fprintln(os.Stderr, "pidfd_getfd:", err)
		os.Exit(6)
	}
	if _, err := unix.FcntlInt(uintptr(f), unix.F_DUPFD_CLOEXEC, 40); err != nil {
		os.Exit(7)
	}
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		os.Exit(8)
	}
	return true
}
