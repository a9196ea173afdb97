package probe

import (
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/event"
)

// TestAArch32Numbers checks the 32-bit ARM syscall numbers against
// golang.org/x/sys/unix's table, generated from the kernel's.
func TestAArch32Numbers(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "golang.org/x/sys").Output()
	if err != nil {
		testutil.SkipOrFail(t, "locate golang.org/x/sys: "+err.Error())
	}
	path := filepath.Join(strings.TrimSpace(string(out)), "unix", "zsysnum_linux_arm.go")
	b, err := os.ReadFile(path)
	if err != nil {
		testutil.SkipOrFail(t, "no arm syscall table: "+err.Error())
	}
	want := map[string]uint32{}
	for _, m := range regexp.MustCompile(`(?m)^\s*SYS_(\w+)\s*=\s*(\d+)`).FindAllStringSubmatch(string(b), -1) {
		n, _ := strconv.Atoi(m[2])
		want[strings.ToLower(m[1])] = uint32(n)
	}
	for _, c := range aarch32Syscalls {
		if got, ok := want[c.name]; !ok || got != c.nr {
			t.Errorf("arm %s = %d, %s says %d", c.name, c.nr, path, got)
		}
	}
	// every captured arm64 syscall the arm table has under its own name
	// is mapped
	// (but the 16-bit getresuid and getresgid: compat.go)
	for name := range syscallNumbers["arm64"] {
		if _, ok := want[name]; ok && name != "getresuid" && name != "getresgid" && !slices.ContainsFunc(aarch32Syscalls, func(c compatSyscall) bool { return c.name == name }) {
			t.Errorf("arm %s (%d) is not mapped", name, want[name])
		}
	}
}

// TestCompatNumbers checks the ia32 syscall numbers against the installed
// uapi header.
func TestCompatNumbers(t *testing.T) {
	const path = "/usr/include/x86_64-linux-gnu/asm/unistd_32.h"
	b, err := os.ReadFile(path)
	if err != nil {
		testutil.SkipOrFail(t, "no ia32 syscall header (linux-libc-dev): "+err.Error())
	}
	want := map[string]uint32{}
	for _, m := range regexp.MustCompile(`(?m)^#define __NR_(\w+)\s+(\d+)`).FindAllStringSubmatch(string(b), -1) {
		n, _ := strconv.Atoi(m[2])
		want[m[1]] = uint32(n)
	}
	seen := map[uint32]string{}
	for _, c := range ia32Syscalls {
		if got, ok := want[c.name]; !ok || got != c.nr {
			t.Errorf("ia32 %s = %d, %s says %d", c.name, c.nr, path, got)
		}
		if prev, dup := seen[c.nr]; dup {
			t.Errorf("ia32 number %d listed for %s and %s", c.nr, prev, c.name)
		}
		seen[c.nr] = c.name
	}
	if want["socketcall"] != ia32Socketcall {
		t.Errorf("socketcall = %d, header says %d", ia32Socketcall, want["socketcall"])
	}
	// every captured syscall the ia32 table has under its own name is mapped
	// (but those whose 32-bit form takes other arguments: compat.go)
	unmapped := map[string]bool{"mmap": true, "getresuid": true, "getresgid": true}
	for name := range syscallNumbers["amd64"] {
		if _, ok := want[name]; ok && !unmapped[name] && !slices.ContainsFunc(ia32Syscalls, func(c compatSyscall) bool { return c.name == name }) {
			t.Errorf("ia32 %s (%d) is not mapped", name, want[name])
		}
	}
}

func TestCompatEntries(t *testing.T) {
	got, err := compatEntries("amd64")
	if err != nil {
		t.Fatal(err)
	}
	amd := syscallNumbers["amd64"]
	for _, tc := range []struct {
		key, want uint32
	}{
		{295, amd["openat"] + 1},                   // openat
		{5, amd["open"] + 1},                       // open
		{213, amd["setuid"] + 1},                   // setuid32
		{23, amd["setuid"] + 1},                    // setuid (16-bit)
		{414, amd["ppoll"] + 1},                    // ppoll_time64
		{180, amd["pread64"] + 1 | compatPosSplit}, // pread64: pos in two halves
		{compatSocketcallBase + 3, amd["connect"] + 1 | 3<<compatNargsShift},   // SYS_CONNECT
		{compatSocketcallBase + 9, amd["sendto"] + 1 | 4<<compatNargsShift},    // SYS_SEND
		{compatSocketcallBase + 12, amd["recvfrom"] + 1 | 6<<compatNargsShift}, // SYS_RECVFROM
	} {
		if got[tc.key] != tc.want {
			t.Errorf("entry %d = %#x, want %#x", tc.key, got[tc.key], tc.want)
		}
	}
	for k := range got {
		if k >= compatSocketcallBase+32 {
			t.Errorf("entry %d beyond the map", k)
		}
	}
	// every entry's syscall has a plan: the probe can record it
	for _, c := range ia32Syscalls {
		typ, err := event.ParseType(strings.NewReplacer("pread64", "pread", "pwrite64", "pwrite", "prlimit64", "prlimit").Replace(c.as))
		if _, ok := plans[typ]; err != nil || !ok {
			t.Errorf("%s maps to %s: no plan (%v)", c.name, c.as, err)
		}
	}
	arm, err := compatEntries("arm64")
	if err != nil {
		t.Fatal(err)
	}
	arm64 := syscallNumbers["arm64"]
	for _, tc := range []struct{ key, want uint32 }{
		{322, arm64["openat"] + 1},                     // openat
		{213, arm64["setuid"] + 1},                     // setuid32
		{180, arm64["pread64"] + 1 | compatPosSplit45}, // pread64: pos in r4/r5
		{361, arm64["preadv"] + 1 | compatPosSplit},    // preadv: pos in r3/r4
		{compatSocketcallBase + 3, 0},                  // no socketcall on arm
	} {
		if arm[tc.key] != tc.want {
			t.Errorf("arm64 entry %d = %#x, want %#x", tc.key, arm[tc.key], tc.want)
		}
	}
	for _, c := range aarch32Syscalls {
		if _, ok := syscallNumbers["arm64"][c.as]; !ok {
			t.Errorf("AArch32 %s maps to %s, which arm64 lacks", c.name, c.as)
		}
	}
	if other, err := compatEntries("riscv64"); other != nil || err != nil {
		t.Errorf("riscv64 entries = %v, %v; want none", other, err)
	}
}

func TestCompatSymbols(t *testing.T) {
	for _, tc := range []struct {
		t    event.Type
		want []string
	}{
		{event.TypeOpenat, []string{"__ia32_compat_sys_openat", "__ia32_sys_openat"}},
		{event.TypeSetuid, []string{"__ia32_compat_sys_setuid", "__ia32_compat_sys_setuid32", "__ia32_sys_setuid", "__ia32_sys_setuid16", "__ia32_sys_setuid32"}},
		{event.TypeListen, []string{"__ia32_compat_sys_listen", "__ia32_compat_sys_socketcall", "__ia32_sys_listen", "__ia32_sys_socketcall"}},
		{event.TypePread, []string{"__ia32_compat_sys_ia32_pread64", "__ia32_compat_sys_pread64", "__ia32_sys_pread64"}},
		{event.TypeUmount2, []string{"__ia32_compat_sys_umount2", "__ia32_sys_umount", "__ia32_sys_umount2"}},
	} {
		if got := compatSymbols(tc.t); !slices.Equal(got, tc.want) {
			t.Errorf("compatSymbols(%s) = %q, want %q", tc.t, got, tc.want)
		}
	}
}

// TestCompatDecode: a record flagged PH_FLAG_COMPAT decodes as a 32-bit
// syscall, its C int arguments sign-extended from the zero-extended
// registers the probe copies (openat's dirfd AT_FDCWD).
func TestCompatDecode(t *testing.T) {
	rec := record(event.TypeOpenat, 3, 42, intArgBytes(3), intArgBytes(0xffffff9c), arg(kindStr, []byte("/etc/shadow")),
		intArgBytes(0), intArgBytes(0))
	binary.LittleEndian.PutUint16(rec[offFlags:], flagCompat)
	ev, err := NewDecoder().Decode(rec)
	if err != nil {
		t.Fatal(err)
	}
	if dirfd, _ := ev.Args.Int64("dirfd"); !ev.Compat || dirfd != -100 || name(ev) != "/etc/shadow" {
		t.Errorf("Compat %v, dirfd %d, name %q; want true, -100, /etc/shadow", ev.Compat, dirfd, name(ev))
	}
	binary.LittleEndian.PutUint16(rec[offFlags:], 0)
	if ev, err := NewDecoder().Decode(rec); err != nil || ev.Compat {
		t.Errorf("unflagged record: Compat %v, %v", ev.Compat, err)
	}
}

// TestAttachCompat: the ia32 entry points a kernel lacks are skipped; a
// kernel that refuses a kretprobe leaves the probe without any, and
// Compat says why. (The attach itself is tested by the kernel matrix,
// whose guests have kprobes and make 32-bit syscalls; this machine has
// neither.)
func TestAttachCompat(t *testing.T) {
	testutil.RequireRoot(t)
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{Type: ebpf.SocketFilter, License: "GPL",
		Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, 0), asm.Return()}})
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	defer func(f func(string, *ebpf.Program) (link.Link, error)) { attachKretprobe = f }(attachKretprobe)
	var tried []string
	attachKretprobe = func(sym string, _ *ebpf.Program) (link.Link, error) {
		tried = append(tried, sym)
		if sym == "__ia32_sys_openat" {
			return nil, errors.New("permission denied")
		}
		return nil, os.ErrNotExist
	}
	p := &Probe{coll: &ebpf.Collection{Programs: map[string]*ebpf.Program{ia32Program: prog}},
		attach: AttachSyscalls, sysProg: syscallsProgram}
	p.attachCompat([]event.Type{event.TypeExecve, event.TypeOpenat, event.TypeConnect})
	if want := append(compatSymbols(event.TypeExecve), "__ia32_compat_sys_openat", "__ia32_sys_openat"); !slices.Equal(tried, want) {
		t.Errorf("tried %q, want %q (and nothing after the refusal)", tried, want)
	}
	if got := p.Compat(); !strings.HasPrefix(got, "none: kretprobe __ia32_sys_openat") || len(p.compatLinks) != 0 {
		t.Errorf("Compat() = %q with %d links; want none: kretprobe __ia32_sys_openat ...", got, len(p.compatLinks))
	}

	// a kernel without IA32 emulation has no entry point at all
	attachKretprobe = func(string, *ebpf.Program) (link.Link, error) { return nil, os.ErrNotExist }
	p = &Probe{coll: p.coll, attach: AttachSyscalls, sysProg: syscallsProgram}
	p.attachCompat([]event.Type{event.TypeExecve, event.TypeOpenat})
	if got := p.Compat(); got != "absent" {
		t.Errorf("no ia32 entry points: Compat() = %q, want absent", got)
	}
}

// TestCompatMode: what Compat reports for each attach mode on this
// machine's kernel.
func TestCompatMode(t *testing.T) {
	for _, mode := range []Attach{AttachRaw, AttachAuto} {
		t.Run("attach="+string(mode), func(t *testing.T) {
			p := loadWith(t, Options{Types: []event.Type{event.TypeOpenat}, Attach: mode})
			got := p.Compat()
			switch {
			case p.Attach() == AttachRaw:
				if got != "raw" {
					t.Errorf("raw tracepoint: Compat() = %q, want raw", got)
				}
			case haveKprobes() && kprobeLoads():
				if got != "kretprobes" {
					t.Errorf("per-syscall with kprobes: Compat() = %q, want kretprobes", got)
				}
			default:
				if !strings.HasPrefix(got, "none: ") {
					t.Errorf("per-syscall without kprobes: Compat() = %q, want none: ...", got)
				}
			}
		})
	}
}

func name(ev event.Event) string {
	s, _ := ev.Args.String("name")
	return s
}

// TestCompatWanted: compat_nrs holds the ia32 syscalls of the wanted
// syscalls only, after Load and after SetTypes, so that the raw
// tracepoint's program reads a task's TS_COMPAT only for those.
func TestCompatWanted(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("ia32 syscalls exist on amd64 only")
	}
	p := loadWith(t, Options{Types: []event.Type{event.TypeOpenat, event.TypeConnect}, Attach: AttachRaw})
	amd := syscallNumbers["amd64"]
	check := func(when string, want map[uint32]uint32) {
		t.Helper()
		for k, w := range want {
			var got uint32
			if err := p.coll.Maps["compat_nrs"].Lookup(k, &got); err != nil || got != w {
				t.Errorf("%s: compat_nrs[%d] = %#x, %v; want %#x", when, k, got, err, w)
			}
		}
	}
	check("after Load", map[uint32]uint32{
		295: amd["openat"] + 1, 5: 0, 362: amd["connect"] + 1, 359: 0,
		ia32Socketcall: compatSocketcallWanted, compatSocketcallBase + 3: amd["connect"] + 1 | 3<<compatNargsShift,
		compatSocketcallBase + 1: 0,
	})
	if err := p.SetTypes([]event.Type{event.TypeOpen}); err != nil {
		t.Fatal(err)
	}
	check("after SetTypes(open)", map[uint32]uint32{
		295: 0, 5: amd["open"] + 1, 362: 0, ia32Socketcall: 0, compatSocketcallBase + 3: 0,
	})
}
