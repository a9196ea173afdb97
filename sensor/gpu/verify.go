package gpu

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/probehub/probehub/nvidia"
	"github.com/probehub/probehub/sensor/event"
)

// verify runs the entry's checks against NVML facts and installed files.
func (f *Filter) verify(m *matcher, bs *branchSet, ev *event.Event, snap *nvidia.Snapshot) error {
	v := &m.e.Verify
	for _, b := range v.Binaries {
		if err := f.verifyBinary(b, ev, snap); err != nil {
			return err
		}
	}
	if v.Module {
		if err := f.verifyModule(bs, ev, snap); err != nil {
			return err
		}
	}
	if v.Devices {
		if err := verifyDevices(ev, snap); err != nil {
			return err
		}
	}
	if v.DriverLibs {
		if err := f.recent.do(libsKey{snap.Facts.DriverVersion}, func() error { return f.verifyDriverLibs(snap) }); err != nil {
			return err
		}
	}
	if v.GPUProcess && !snap.HasProcess(ev.Proc.PID) {
		if r, ok := f.facts.(interface{ Request() }); ok {
			r.Request()
		}
		return fmt.Errorf("pid %d is not in NVML's process list", ev.Proc.PID)
	}
	if m.e.User != "" {
		uid, _ := ev.Args.Int64("uid") // matchUser checked presence
		return f.recent.do(userKey{m.e.User, uid}, func() error { return f.verifyUser(m.e.User, uid) })
	}
	return nil
}

func (f *Filter) verifyBinary(b BinarySpec, ev *event.Event, snap *nvidia.Snapshot) error {
	n, _ := whoIndex(b.Who) // validated at load
	exe := ev.Proc.ExePath
	if n > 0 {
		exe = ev.Proc.Ancestors[n-1].ExePath // matchParents checked the length
	}
	if !path.IsAbs(exe) {
		return fmt.Errorf("%s exepath %q is not a file path", b.Who, exe)
	}
	version := ""
	if b.Embeds == "driver_version" {
		version = snap.Facts.DriverVersion
	}
	check := func() error { return f.files.check(f.resolve(b.Root, exe), version) }
	if err := f.recent.do(binKey{b.Root, exe, version}, check); err != nil {
		return err
	}
	if n == 0 && ev.Container != nil && ev.Container.ID != "" && ev.Container.ID != "host" {
		live := func() error { return f.sameFileLive(ev.Proc.PID, exe, f.resolve(b.Root, exe)) }
		return f.recent.do(liveKey{ev.Proc.PID, exe}, live)
	}
	return nil
}

type binKey struct{ root, exe, version string }

type liveKey struct {
	pid uint32
	exe string
}

type libsKey struct{ version string }

type userKey struct {
	name string
	uid  int64
}

// libDirs are where distributions and the driver container install
// libnvidia-ml.so.
var libDirs = []string{"/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib/aarch64-linux-gnu", "/usr/lib"}

func (f *Filter) verifyDriverLibs(snap *nvidia.Snapshot) error {
	lib := "libnvidia-ml.so." + snap.Facts.DriverVersion
	for _, d := range libDirs {
		if _, err := os.Stat(f.resolve("driver", path.Join(d, lib))); err == nil {
			return nil
		}
	}
	return fmt.Errorf("%s is not installed under driver root %s", lib, f.resolve("driver", "/"))
}

// sameFileLive checks, when the process is still alive, that the executable
// it runs in its container is the driver's file bind-mounted by the toolkit
// (same device and inode), not a look-alike shipped in the image. Replayed
// events (no such process) rely on the installed file alone.
func (f *Filter) sameFileLive(pid uint32, exe, want string) error {
	live := filepath.Join(f.hostRoot, "proc", strconv.FormatUint(uint64(pid), 10), "root", exe)
	a, err := os.Stat(live)
	if err != nil {
		return nil // not live: replay or already exited
	}
	b, err := os.Stat(want)
	if err != nil || !os.SameFile(a, b) {
		return fmt.Errorf("%s in the container is not the driver's %s", exe, want)
	}
	return nil
}

func (f *Filter) verifyModule(bs *branchSet, ev *event.Event, snap *nvidia.Snapshot) error {
	if ev.FD == nil || !path.IsAbs(ev.FD.Name) {
		return errors.New("module load without a module file (init_module from memory)")
	}
	name := strings.TrimSuffix(path.Base(ev.FD.Name), ".ko")
	if !bs.modules.has(name) {
		return fmt.Errorf("module %q is not a %s driver module", name, bs.profile.Branch)
	}
	mod, version := ev.FD.Name, snap.Facts.DriverVersion
	return f.recent.do(binKey{"driver", mod, version}, func() error { return f.files.check(f.resolve("driver", mod), version) })
}

// verifyDevices checks that every /dev/nvidiaN the event names is a GPU
// minor NVML reports. Other /dev/nvidia* nodes need only a loaded driver.
func verifyDevices(ev *event.Event, snap *nvidia.Snapshot) error {
	for _, n := range fileNames(ev) {
		digits, ok := strings.CutPrefix(n, "/dev/nvidia")
		if !ok || !isNumeric(digits) {
			continue
		}
		minor, err := strconv.Atoi(digits)
		if err != nil || !snap.HasMinor(minor) {
			return fmt.Errorf("%s is not a GPU NVML reports (%d devices)", n, len(snap.Facts.Devices))
		}
	}
	return nil
}

func (f *Filter) verifyUser(name string, uid int64) error {
	passwd := f.resolve("driver", "/etc/passwd")
	want, err := f.users.lookup(passwd, name)
	if err != nil {
		return err
	}
	if int64(want) != uid {
		return fmt.Errorf("setuid to uid %d, but %s is uid %d in %s", uid, name, want, passwd)
	}
	return nil
}

// resolve maps a path seen by the process to the sensor's view of it.
func (f *Filter) resolve(root, p string) string {
	r := f.hostRoot
	if root == "driver" {
		r = filepath.Join(r, f.drvRoot)
	}
	return filepath.Join(r, filepath.Clean("/"+p))
}
