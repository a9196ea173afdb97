package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"

	"github.com/probehub/probehub/wire/job"

	"golang.org/x/sys/unix"
)

var mounts = []struct{ src, dst, fstype string }{
	{"proc", "/proc", "proc"},
	{"sysfs", "/sys", "sysfs"},
	{"devtmpfs", "/dev", "devtmpfs"},
	{"shm", "/dev/shm", "tmpfs"},
	{"tmpfs", "/tmp", "tmpfs"},
	{"bpffs", "/sys/fs/bpf", "bpf"},
	{"tracefs", "/sys/kernel/tracing", "tracefs"},
	{"debugfs", "/sys/kernel/debug", "debugfs"},
	{"cgroup2", "/sys/fs/cgroup", "cgroup2"},
}

func mountAll() error {
	var errs []error
	for _, m := range mounts {
		if err := os.MkdirAll(m.dst, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			errs = append(errs, err)
			continue
		}
		if err := unix.Mount(m.src, m.dst, m.fstype, 0, ""); err != nil && !errors.Is(err, unix.EBUSY) {
			// debugfs and tracefs are optional on some kernels.
			if m.fstype != "debugfs" && m.fstype != "tracefs" {
				errs = append(errs, fmt.Errorf("mount %s: %w", m.dst, err))
			}
		}
	}
	if err := loopbackUp(); err != nil {
		errs = append(errs, fmt.Errorf("bring up lo: %w", err))
	}
	return errors.Join(errs...)
}

func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0)
	if err != nil {
		return err
	}
	defer func() { _ = unix.Close(fd) }() // an ioctl socket: nothing written
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return err
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	return unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr)
}

func powerOff() {
	unix.Sync()
	_ = unix.Reboot(unix.LINUX_REBOOT_CMD_POWER_OFF)
	select {}
}

var listener net.Listener

func doActions(actions []actionT) {
	for _, a := range actions {
		_ = doAction(a)
	}
}

func doAction(a actionT) error {
	switch a.Kind {
	case "exec":
		return exec.Command(a.Path, a.Args...).Run()
	case "open":
		f, err := os.Open(a.Path)
		if err != nil {
			return err
		}
		return f.Close()
	case "write":
		return os.WriteFile(a.Path, []byte("probehub matrix\n"), 0o644)
	case "connect":
		return connectLocal()
	case "symlink":
		_ = os.Remove(a.Args[0])
		return os.Symlink(a.Path, a.Args[0])
	case "copy-exec":
		// Copy Path to Args[0] and run the copy (e.g. into /dev/shm).
		b, err := os.ReadFile(a.Path)
		if err != nil {
			return err
		}
		if err := os.WriteFile(a.Args[0], b, 0o755); err != nil {
			return err
		}
		return exec.Command(a.Args[0], a.Args[1:]...).Run()
	}
	return fmt.Errorf("unknown action kind %q", a.Kind)
}

func connectLocal() error {
	if listener == nil {
		l, err := net.Listen("tcp", "127.0.0.1:7777")
		if err != nil {
			return err
		}
		listener = l
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				_ = c.Close() // the probe connection only needs accepting
			}
		}()
	}
	c, err := net.Dial("tcp", "127.0.0.1:7777")
	if err != nil {
		return err
	}
	return c.Close()
}

type actionT = job.Action

// uptimeMS is the time since the kernel booted (CLOCK_BOOTTIME), which
// counts from early in the kernel's start, before /init.
func uptimeMS() int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts); err != nil {
		return -1
	}
	return ts.Nano() / 1e6
}
