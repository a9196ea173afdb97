package gpu

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/probehub/probehub/nvidia"
	"github.com/probehub/probehub/sensor/event"
)

// binCheck is a verify.binaries item compiled for the hot path.
type binCheck struct {
	who    string      // self or parentN, for errors
	n      int         // 0 for self, N for parentN
	slots  *fileSlots  // the host's or the driver's files
	embeds bool        // the file must embed the NVML driver version
	known  set         // the entry's exepaths for who, whose slots are
	slot   []*fileSlot // resolved at construction
}

// fileSlot returns the slot of exe.
func (b *binCheck) fileSlot(exe string) *fileSlot {
	if i := b.known.index(exe); i >= 0 {
		return b.slot[i]
	}
	return b.slots.get(exe)
}

// compile compiles e's matching and verification for the hot path.
func (f *Filter) compile(e *Entry) *matcher {
	m := compile(e)
	for _, b := range e.Verify.Binaries {
		n, _ := whoIndex(b.Who) // validated at load
		c := binCheck{who: b.Who, n: n, slots: &f.hostBins, embeds: b.Embeds == "driver_version"}
		if b.Root == "driver" {
			c.slots = &f.drvBins
		}
		cands := e.Process.ExePath
		if n > 0 {
			cands = e.Parents[n-1].ExePath
		}
		for _, exe := range cands {
			if path.IsAbs(exe) && !c.known.has(exe) {
				c.known.add(exe)
				c.slot = append(c.slot, c.slots.get(exe))
			}
		}
		m.bins = append(m.bins, c)
	}
	return m
}

var (
	errNotGPUProcess = errors.New("the process is not in NVML's process list")
	errModuleMemory  = errors.New("module load without a module file (init_module from memory)")
)

// verify runs the entry's checks against NVML facts and installed files.
// Results that touch files are reused while fresh (recheck).
func (f *Filter) verify(m *matcher, bs *branchSet, ev *event.Event, snap *nvidia.Snapshot) error {
	now := f.clock.Now()
	v := &m.e.Verify
	for i := range m.bins {
		if err := f.verifyBinary(&m.bins[i], ev, snap, now); err != nil {
			return err
		}
	}
	if v.Module {
		if err := f.verifyModule(bs, ev, snap, now); err != nil {
			return err
		}
	}
	if v.Devices {
		if err := verifyDevices(ev, snap); err != nil {
			return err
		}
	}
	if v.DriverLibs {
		if err := f.verifyDriverLibs(snap, now); err != nil {
			return err
		}
	}
	if v.GPUProcess && !snap.HasProcess(ev.Proc.PID) {
		if r, ok := f.facts.(interface{ Request() }); ok {
			r.Request()
		}
		return errNotGPUProcess
	}
	if m.user {
		uid, _ := ev.Args.Int64("uid") // matchUser checked presence
		if err, ok := m.users.get("", uid, now); ok {
			return err
		}
		return m.users.put("", uid, now, f.verifyUser(m.e.User, uid))
	}
	return nil
}

func (f *Filter) verifyBinary(b *binCheck, ev *event.Event, snap *nvidia.Snapshot, now int64) error {
	exe := ev.Proc.ExePath
	if b.n > 0 {
		exe = ev.Proc.Ancestors[b.n-1].ExePath // matchParents checked the length
	}
	if !path.IsAbs(exe) {
		return fmt.Errorf("%s exepath %q is not a file path", b.who, exe)
	}
	version := ""
	if b.embeds {
		version = snap.Facts.DriverVersion
	}
	fs := b.fileSlot(exe)
	if err := f.checkFile(fs, version, now); err != nil {
		return err
	}
	if b.n == 0 && inContainer(ev.Container) {
		pid := ev.Proc.PID
		s := &fs.live[pid%uint32(len(fs.live))]
		if err, ok := s.get("", int64(pid), now); ok {
			return err
		}
		return s.put("", int64(pid), now, f.sameFileLive(pid, exe, fs.full))
	}
	return nil
}

// checkFile runs fileChecker.check on fs, or reuses its fresh result.
func (f *Filter) checkFile(fs *fileSlot, version string, now int64) error {
	s := fs.checked(version)
	if err, ok := s.get(version, 0, now); ok {
		return err
	}
	return s.put(version, 0, now, f.files.check(fs.full, version))
}

func inContainer(c *event.Container) bool {
	return c != nil && c.ID != "" && c.ID != "host"
}

// libDirs are where distributions and the driver container install
// libnvidia-ml.so.
var libDirs = []string{"/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib/aarch64-linux-gnu", "/usr/lib"}

func (f *Filter) verifyDriverLibs(snap *nvidia.Snapshot, now int64) error {
	v := snap.Facts.DriverVersion
	if err, ok := f.libs.get(v, 0, now); ok {
		return err
	}
	return f.libs.put(v, 0, now, f.driverLibs(v))
}

func (f *Filter) driverLibs(version string) error {
	lib := "libnvidia-ml.so." + version
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
// events and processes that have exited (no /proc/PID) rely on the
// installed file alone. It fails closed: any other error (EACCES on the
// container's root, a path that does not resolve in a live process) means
// unverifiable, and an unverifiable alert is not suppressed.
func (f *Filter) sameFileLive(pid uint32, exe, want string) error {
	proc := filepath.Join(f.hostRoot, "proc", strconv.FormatUint(uint64(pid), 10))
	if _, err := os.Stat(proc); errors.Is(err, fs.ErrNotExist) {
		return nil // not live: replay or already exited
	} else if err != nil {
		return fmt.Errorf("verify %s in its container: %w", exe, err)
	}
	a, err := os.Stat(filepath.Join(proc, "root", exe))
	if err != nil {
		return fmt.Errorf("verify %s in its container: %w", exe, err)
	}
	b, err := os.Stat(want)
	if err != nil {
		return fmt.Errorf("verify %s against the driver's file: %w", exe, err)
	}
	if !os.SameFile(a, b) {
		return fmt.Errorf("%s in the container is not the driver's %s", exe, want)
	}
	return nil
}

func (f *Filter) verifyModule(bs *branchSet, ev *event.Event, snap *nvidia.Snapshot, now int64) error {
	if ev.FD == nil || !path.IsAbs(ev.FD.Name) {
		return errModuleMemory
	}
	name := strings.TrimSuffix(path.Base(ev.FD.Name), ".ko")
	if !bs.modules.has(name) {
		return fmt.Errorf("module %q is not a %s driver module", name, bs.profile.Branch)
	}
	return f.checkFile(f.drvBins.get(ev.FD.Name), snap.Facts.DriverVersion, now)
}

// verifyDevices checks that every /dev/nvidiaN the event names is a GPU
// minor NVML reports. Other /dev/nvidia* nodes need only a loaded driver.
func verifyDevices(ev *event.Event, snap *nvidia.Snapshot) error {
	names := fileNames(ev)
	for _, n := range names.list() {
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
