package probe

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/sensor/event"
)

// otherCase is one of Falco's other syscalls made for real on a locked
// thread, and what its event must say.
type otherCase struct {
	name  string
	typ   event.Type
	do    func(t *testing.T) (want map[string]int64, res int64)
	check func(t *testing.T, ev event.Event)
}

func mustType(name string) event.Type {
	t, err := event.ParseType(name)
	if err != nil {
		panic(err)
	}
	return t
}

// TestOtherSyscalls captures each of Falco's other syscall events that
// takes more than registers (pointers read at the exit, new fds, fds that
// refer to a file) on the running kernel, in both variants, and checks
// its arguments and fd against what the call did.
func TestOtherSyscalls(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "data")
	if err := os.WriteFile(file, bytes.Repeat([]byte("probehub"), 1024), 0o600); err != nil {
		t.Fatal(err)
	}
	openFile := func(t *testing.T) int {
		fd, err := unix.Open(file, unix.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { unix.Close(fd) })
		return fd
	}
	fdIs := func(name string, typ byte) func(t *testing.T, ev event.Event) {
		return func(t *testing.T, ev event.Event) {
			if ev.FD == nil || ev.FD.Type != typ || ev.FD.Name != name {
				t.Errorf("fd %+v, want type %q name %q", ev.FD, typ, name)
			}
		}
	}
	cases := []otherCase{
		{name: "mprotect", typ: event.TypeMprotect, do: func(t *testing.T) (map[string]int64, int64) {
			b, err := unix.Mmap(-1, 0, 4096, unix.PROT_READ, unix.MAP_PRIVATE|unix.MAP_ANON)
			if err != nil {
				t.Fatal(err)
			}
			defer unix.Munmap(b)
			addr := int64(uintptr(unsafe.Pointer(&b[0])))
			if err := unix.Mprotect(b, unix.PROT_READ|unix.PROT_EXEC); err != nil {
				t.Fatal(err)
			}
			return map[string]int64{"addr": addr, "length": 4096, "prot": unix.PROT_READ | unix.PROT_EXEC}, 0
		}},
		{name: "mmap of a file", typ: event.TypeMmap, do: func(t *testing.T) (map[string]int64, int64) {
			fd := openFile(t)
			b, err := unix.Mmap(fd, 4096, 4096, unix.PROT_READ, unix.MAP_SHARED)
			if err != nil {
				t.Fatal(err)
			}
			defer unix.Munmap(b)
			return map[string]int64{"length": 4096, "prot": unix.PROT_READ, "flags": unix.MAP_SHARED, "fd": int64(fd), "offset": 4096},
				int64(uintptr(unsafe.Pointer(&b[0])))
		}, check: fdIs(file, 'f')},
		{name: "mmap anonymous", typ: event.TypeMmap, do: func(t *testing.T) (map[string]int64, int64) {
			b, err := unix.Mmap(-1, 0, 8192, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
			if err != nil {
				t.Fatal(err)
			}
			defer unix.Munmap(b)
			return map[string]int64{"length": 8192, "fd": -1, "flags": unix.MAP_PRIVATE | unix.MAP_ANON},
				int64(uintptr(unsafe.Pointer(&b[0])))
		}, check: func(t *testing.T, ev event.Event) {
			if ev.FD != nil {
				t.Errorf("anonymous mapping has fd %+v", ev.FD)
			}
		}},
		{name: "fcntl F_DUPFD_CLOEXEC", typ: event.TypeFcntl, do: func(t *testing.T) (map[string]int64, int64) {
			fd := openFile(t)
			nfd, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 50)
			if err != nil {
				t.Fatal(err)
			}
			unix.Close(nfd)
			return map[string]int64{"fd": int64(fd), "cmd": unix.F_DUPFD_CLOEXEC, "arg": 50}, int64(nfd)
		}, check: fdIs(file, 'f')},
		{name: "ioctl", typ: event.TypeIoctl, do: func(t *testing.T) (map[string]int64, int64) {
			fd := openFile(t)
			n, err := unix.IoctlGetInt(fd, unix.TIOCINQ)
			if err != nil || n != 8192 {
				t.Fatalf("FIONREAD: %d, %v", n, err)
			}
			return map[string]int64{"fd": int64(fd), "request": unix.TIOCINQ}, 0
		}, check: fdIs(file, 'f')},
		{name: "ioctl failing", typ: event.TypeIoctl, do: func(t *testing.T) (map[string]int64, int64) {
			fd := openFile(t)
			_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.TCGETS, 0)
			if errno != unix.ENOTTY {
				t.Fatalf("TCGETS on a file: %v", errno)
			}
			return map[string]int64{"fd": int64(fd), "request": unix.TCGETS}, -int64(unix.ENOTTY)
		}, check: fdIs(file, 'f')}, // the fd is known whatever the result, as in libsinsp
		{name: "pipe2", typ: event.TypePipe2, do: func(t *testing.T) (map[string]int64, int64) {
			var p [2]int
			if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
				t.Fatal(err)
			}
			unix.Close(p[0])
			unix.Close(p[1])
			return map[string]int64{"fd1": int64(p[0]), "fd2": int64(p[1]), "flags": unix.O_CLOEXEC}, 0
		}},
		{name: "socketpair", typ: event.TypeSocketpair, do: func(t *testing.T) (map[string]int64, int64) {
			p, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
			if err != nil {
				t.Fatal(err)
			}
			unix.Close(p[0])
			unix.Close(p[1])
			return map[string]int64{"domain": unix.AF_UNIX, "type": unix.SOCK_STREAM, "fd1": int64(p[0]), "fd2": int64(p[1])}, 0
		}},
		{name: "prlimit", typ: event.TypePrlimit, do: func(t *testing.T) (map[string]int64, int64) {
			var old unix.Rlimit
			if err := unix.Prlimit(0, unix.RLIMIT_NOFILE, nil, &old); err != nil {
				t.Fatal(err)
			}
			return map[string]int64{"pid": 0, "resource": unix.RLIMIT_NOFILE, "oldcur": int64(old.Cur), "oldmax": int64(old.Max), "newcur": 0}, 0
		}},
		{name: "io_uring_setup", typ: event.TypeIoUringSetup, do: func(t *testing.T) (map[string]int64, int64) {
			// struct io_uring_params; the kernel fills in the entries and
			// features. Where io_uring is disabled the call fails and the
			// event carries the caller's input, as Falco's does.
			var p [30]uint32
			p[2] = 16 // flags: IORING_SETUP_CLAMP
			fd, _, errno := unix.Syscall(unix.SYS_IO_URING_SETUP, 4, uintptr(unsafe.Pointer(&p[0])), 0)
			res := int64(fd)
			if errno != 0 {
				res = -int64(errno)
			} else {
				defer unix.Close(int(fd))
			}
			return map[string]int64{"entries": 4, "sq_entries": int64(p[0]), "cq_entries": int64(p[1]), "flags": 16,
				"sq_thread_cpu": int64(p[3]), "sq_thread_idle": int64(p[4]), "features": int64(p[5])}, res
		}},
		{name: "setsockopt", typ: event.TypeSetsockopt, do: func(t *testing.T) (map[string]int64, int64) {
			s, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer unix.Close(s)
			if err := unix.SetsockoptInt(s, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
				t.Fatal(err)
			}
			return map[string]int64{"fd": int64(s), "level": unix.SOL_SOCKET, "optname": unix.SO_REUSEADDR, "optlen": 4}, 0
		}, check: func(t *testing.T, ev event.Event) {
			if ev.FD == nil || ev.FD.Type != '4' {
				t.Errorf("fd %+v, want an IPv4 socket", ev.FD)
			}
		}},
		{name: "eventfd2", typ: event.TypeEventfd2, do: func(t *testing.T) (map[string]int64, int64) {
			fd, err := unix.Eventfd(7, unix.EFD_CLOEXEC)
			if err != nil {
				t.Fatal(err)
			}
			unix.Close(fd)
			return map[string]int64{"initval": 7, "flags": unix.EFD_CLOEXEC}, int64(fd)
		}, check: func(t *testing.T, ev event.Event) {
			if ev.FD == nil || ev.FD.Type != 'e' || ev.FD.Num != ev.Res {
				t.Errorf("fd %+v, want the new eventfd %d", ev.FD, ev.Res)
			}
		}},
		{name: "pidfd_open", typ: event.TypePidfdOpen, do: func(t *testing.T) (map[string]int64, int64) {
			fd, err := unix.PidfdOpen(os.Getpid(), 0)
			if err != nil {
				t.Skipf("pidfd_open: %v", err)
			}
			unix.Close(fd)
			return map[string]int64{"pid": int64(os.Getpid()), "fd": int64(fd)}, int64(fd)
		}},
		{name: "process_vm_readv", typ: event.TypeProcessVmReadv, do: func(t *testing.T) (map[string]int64, int64) {
			src := []byte("probehub-process-vm-readv")
			dst := make([]byte, len(src))
			local := []unix.Iovec{{Base: &dst[0], Len: uint64(len(dst))}}
			remote := []unix.RemoteIovec{{Base: uintptr(unsafe.Pointer(&src[0])), Len: len(src)}}
			n, err := unix.ProcessVMReadv(os.Getpid(), local, remote, 0)
			if err != nil {
				t.Fatal(err)
			}
			runtime.KeepAlive(src)
			return map[string]int64{"pid": int64(os.Getpid())}, int64(n)
		}, check: func(t *testing.T, ev event.Event) {
			if d, _ := ev.Args.String("data"); d != "probehub-process-vm-readv" {
				t.Errorf("data %q", d)
			}
		}},
		{name: "tkill", typ: event.TypeTkill, do: func(t *testing.T) (map[string]int64, int64) {
			tid := unix.Gettid()
			if _, _, e := unix.RawSyscall(unix.SYS_TKILL, uintptr(tid), 0, 0); e != 0 {
				t.Fatal(e)
			}
			return map[string]int64{"tid": int64(tid), "sig": 0}, 0
		}},
		{name: "getuid", typ: event.TypeGetuid, do: func(t *testing.T) (map[string]int64, int64) {
			uid := unix.Getuid()
			return map[string]int64{"uid": int64(uid)}, int64(uid)
		}},
		{name: "getresuid", typ: event.TypeGetresuid, do: func(t *testing.T) (map[string]int64, int64) {
			r, e, s := unix.Getresuid()
			return map[string]int64{"ruid": int64(r), "euid": int64(e), "suid": int64(s)}, 0
		}},
		{name: "nanosleep", typ: event.TypeNanosleep, do: func(t *testing.T) (map[string]int64, int64) {
			ts := unix.NsecToTimespec(1_500_000)
			if err := unix.Nanosleep(&ts, nil); err != nil {
				t.Fatal(err)
			}
			return map[string]int64{"interval": 1_500_000}, 0
		}},
		{name: "newfstatat", typ: event.TypeNewfstatat, do: func(t *testing.T) (map[string]int64, int64) {
			var st unix.Stat_t
			if err := unix.Fstatat(unix.AT_FDCWD, file, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
				t.Fatal(err)
			}
			return map[string]int64{"dirfd": unix.AT_FDCWD, "flags": unix.AT_SYMLINK_NOFOLLOW}, 0
		}, check: func(t *testing.T, ev event.Event) {
			if p, _ := ev.Args.String("path"); p != file {
				t.Errorf("path %q, want %q", p, file)
			}
		}},
		{name: "copy_file_range", typ: event.TypeCopyFileRange, do: func(t *testing.T) (map[string]int64, int64) {
			in := openFile(t)
			out, err := unix.Open(filepath.Join(dir, "copy"), unix.O_CREAT|unix.O_WRONLY|unix.O_TRUNC, 0o600)
			if err != nil {
				t.Fatal(err)
			}
			defer unix.Close(out)
			off := int64(16)
			n, err := unix.CopyFileRange(in, &off, out, nil, 100, 0)
			if err != nil {
				t.Skipf("copy_file_range: %v", err)
			}
			return map[string]int64{"fdin": int64(in), "offin": 16 + int64(n), "fdout": int64(out), "len": 100}, int64(n)
		}, check: fdIs(file, 'f')},
		{name: "stat", typ: event.TypeStat, do: func(t *testing.T) (map[string]int64, int64) {
			if _, ok := syscallNumber(event.TypeStat); !ok {
				t.Skip("no stat syscall here")
			}
			nr, _ := syscallNumber(event.TypeStat)
			var st unix.Stat_t
			p, _ := unix.BytePtrFromString(file)
			if _, _, e := unix.Syscall(uintptr(nr), uintptr(unsafe.Pointer(p)), uintptr(unsafe.Pointer(&st)), 0); e != 0 {
				t.Fatal(e)
			}
			return map[string]int64{}, 0
		}, check: func(t *testing.T, ev event.Event) {
			if p, _ := ev.Args.String("path"); p != file {
				t.Errorf("path %q, want %q", p, file)
			}
		}},
		{name: "sendfile", typ: event.TypeSendfile, do: func(t *testing.T) (map[string]int64, int64) {
			in := openFile(t)
			out, err := unix.Open(filepath.Join(dir, "sent"), unix.O_CREAT|unix.O_WRONLY|unix.O_TRUNC, 0o600)
			if err != nil {
				t.Fatal(err)
			}
			defer unix.Close(out)
			off := int64(8)
			n, err := unix.Sendfile(out, in, &off, 64)
			if err != nil {
				t.Fatal(err)
			}
			return map[string]int64{"out_fd": int64(out), "in_fd": int64(in), "size": 64, "offset": 8 + int64(n)}, int64(n)
		}, check: fdIs(filepath.Join(dir, "sent"), 'f')},
		{name: "getppid (generic)", typ: mustType("getppid"), do: func(t *testing.T) (map[string]int64, int64) {
			return map[string]int64{}, int64(unix.Getppid())
		}, check: func(t *testing.T, ev event.Event) {
			if !ev.Type.Generic() || len(ev.Args) != 0 {
				t.Errorf("generic getppid: %s with args %v", ev.Type, ev.Args)
			}
		}},
		{name: "uname (generic, tracepoint newuname)", typ: mustType("uname"), do: func(t *testing.T) (map[string]int64, int64) {
			var u unix.Utsname
			if err := unix.Uname(&u); err != nil {
				t.Fatal(err)
			}
			return map[string]int64{}, 0
		}},
		{name: "getcwd", typ: event.TypeGetcwd, do: func(t *testing.T) (map[string]int64, int64) {
			buf := make([]byte, 4096)
			n, err := unix.Getcwd(buf)
			if err != nil {
				t.Fatal(err)
			}
			return map[string]int64{}, int64(n)
		}, check: func(t *testing.T, ev event.Event) {
			wd, _ := os.Getwd()
			if p, _ := ev.Args.String("path"); p != wd {
				t.Errorf("path %q, want %q", p, wd)
			}
		}},
	}
	var types []event.Type
	for _, c := range cases {
		if _, ok := syscallNumber(c.typ); ok && !slices.Contains(types, c.typ) {
			types = append(types, c.typ)
		}
	}
	for _, buf := range []mode{buffers[0], buffers[2]} {
		t.Run(buf.name, func(t *testing.T) {
			p := load(t, buf, types...)
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					if _, ok := syscallNumber(c.typ); !ok {
						t.Skipf("%s: no such syscall on %s", c.typ, runtime.GOARCH)
					}
					runtime.LockOSThread()
					defer runtime.UnlockOSThread()
					tid := uint32(unix.Gettid())
					want, res := c.do(t)
					ev := await(t, p, c.typ.String(), func(ev event.Event) bool {
						if ev.Type != c.typ || ev.Proc.TID != tid {
							return false
						}
						for k, v := range want {
							if got, ok := ev.Args.Int64(k); !ok || got != v {
								t.Logf("a %s of this thread with %s=%d (want %d): %v", c.typ, k, got, v, ev.Args)
								return false
							}
						}
						return true
					})
					if ev.Res != res {
						t.Errorf("res %d, want %d (args %v)", ev.Res, res, ev.Args)
					}
					if c.check != nil {
						c.check(t, ev)
					}
				})
			}
		})
	}
}
