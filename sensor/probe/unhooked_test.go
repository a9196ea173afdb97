package probe

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/probe/bytecode"
)

// TestUnhooked: with per-syscall tracepoints, the module syscalls of a
// kernel built without CONFIG_MODULES (no tracepoint: the syscalls fail
// with ENOSYS) are reported unhooked; the raw sys_exit hook sees a call of
// them, as Falco's drivers do.
func TestUnhooked(t *testing.T) {
	if err := canFast(); err != nil {
		t.Skipf("fast variant: %v", err) // AttachSyscalls needs it; load skips the same way
	}
	types := []event.Type{event.TypeOpenat, event.TypeInitModule, event.TypeFinitModule}
	p := loadWith(t, Options{Types: types, Variant: bytecode.Fast, Attach: AttachSyscalls})
	_, err := os.Stat(filepath.Join(eventsDir(), "syscalls", "sys_exit_finit_module"))
	configured := err == nil
	want := []event.Type{event.TypeInitModule, event.TypeFinitModule}
	if configured {
		want = nil
	}
	if got := p.Unhooked(); !slices.Equal(got, want) {
		t.Errorf("Unhooked() = %v, want %v (module tracepoints: %v)", got, want, configured)
	}
	p.Close()

	raw := loadWith(t, Options{Types: types, Attach: AttachRaw})
	if got := raw.Unhooked(); got != nil {
		t.Errorf("raw: Unhooked() = %v, want none", got)
	}
	_ = unix.FinitModule(-1, "", 0) // EBADF, or ENOSYS without CONFIG_MODULES
	pid := uint32(os.Getpid())
	ev := await(t, raw, "finit_module", func(ev event.Event) bool { return ev.Type == event.TypeFinitModule && ev.Proc.PID == pid })
	if ev.Res != -int64(unix.EBADF) && ev.Res != -int64(unix.ENOSYS) {
		t.Errorf("finit_module res %d, want -EBADF or -ENOSYS", ev.Res)
	}
}
