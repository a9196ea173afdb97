package matrix

import (
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/probehub/probehub/builder/extract"
	"github.com/probehub/probehub/wire/job"
)

// kvmBroken is set once a KVM boot failed at start, so later boots go
// straight to TCG (nested virtualisation often exposes /dev/kvm that fails).
var kvmBroken atomic.Bool

// errNoResult means the guest never printed its result line: it hung,
// panicked, or was killed at the timeout.
var errNoResult = errors.New("guest printed no result")

// pvhImage returns the kernel to hand qemu for vmlinuz: its vmlinux ELF,
// decompressed once on the host and kept beside it, when the kernel has a
// PVH entry point (CONFIG_PVH: the ELF note Xen/XEN_ELFNOTE_PHYS32_ENTRY),
// so that qemu enters it directly and the guest skips decompressing itself
// (a Debian xz kernel spends about 3 s of a TCG boot on that). Otherwise,
// or if the image cannot be decompressed here, vmlinuz itself.
func pvhImage(ctx context.Context, vmlinuz string) string {
	elfPath, none := vmlinuz+".pvh.elf", vmlinuz+".nopvh"
	if _, err := os.Stat(elfPath); err == nil {
		return elfPath
	}
	if _, err := os.Stat(none); err == nil {
		return vmlinuz
	}
	image, err := os.ReadFile(vmlinuz)
	if err != nil {
		return vmlinuz
	}
	vmlinux, err := extract.Vmlinux(ctx, image)
	if err != nil || !hasPVHEntry(vmlinux) {
		if ctx.Err() == nil {
			_ = os.WriteFile(none, nil, 0o644)
		}
		return vmlinuz
	}
	tmp := elfPath + ".tmp"
	if err := os.WriteFile(tmp, vmlinux, 0o644); err != nil {
		return vmlinuz
	}
	if err := os.Rename(tmp, elfPath); err != nil {
		return vmlinuz
	}
	return elfPath
}

// xenElfnotePhys32Entry is XEN_ELFNOTE_PHYS32_ENTRY, the PVH entry point.
const xenElfnotePhys32Entry = 18

// hasPVHEntry says whether the ELF vmlinux carries a PVH entry note.
func hasPVHEntry(vmlinux []byte) bool {
	f, err := elf.NewFile(bytes.NewReader(vmlinux))
	if err != nil {
		return false
	}
	for _, p := range f.Progs {
		if p.Type != elf.PT_NOTE {
			continue
		}
		b, err := io.ReadAll(p.Open())
		if err != nil {
			return false
		}
		for len(b) >= 12 {
			namesz, descsz, typ := f.ByteOrder.Uint32(b), f.ByteOrder.Uint32(b[4:]), f.ByteOrder.Uint32(b[8:])
			name := b[12:]
			next := 12 + align4(namesz) + align4(descsz)
			if uint64(len(b)) < next || namesz > uint32(len(name)) {
				break
			}
			if string(name[:namesz]) == "Xen\x00" && typ == xenElfnotePhys32Entry {
				return true
			}
			b = b[next:]
		}
	}
	return false
}

func align4(n uint32) uint64 { return (uint64(n) + 3) &^ 3 }

// boot runs one VM to completion and returns the guest's result. The serial
// console goes to logPath; stdin is /dev/null (-serial stdio would hang a
// background run).
func boot(ctx context.Context, arch, kernel, initrd, logPath string, timeout time.Duration) (job.Result, string, time.Duration, error) {
	// KVM only when asked for: on nested-virtualisation hosts /dev/kvm can
	// open and then hang a boot silently until the timeout (seen here), so
	// the default is TCG, which always works.
	accel := "tcg"
	if arch == hostArch() && !kvmBroken.Load() && kvmUsable() && os.Getenv("PROBEHUB_QEMU_ACCEL") == "kvm" {
		accel = "kvm"
	}
	start := time.Now()
	err := runQEMU(ctx, arch, accel, kernel, initrd, logPath, timeout)
	if accel == "kvm" && err != nil && time.Since(start) < 5*time.Second {
		kvmBroken.Store(true)
		start = time.Now()
		accel = "tcg"
		err = runQEMU(ctx, arch, accel, kernel, initrd, logPath, timeout)
	}
	took := time.Since(start)
	res, perr := parseResult(logPath)
	if perr != nil {
		if err != nil {
			return res, accel, took, fmt.Errorf("%w (qemu: %w)", perr, err)
		}
		return res, accel, took, perr
	}
	return res, accel, took, nil
}

func kvmUsable() bool {
	f, err := os.OpenFile("/dev/kvm", os.O_RDWR, 0)
	if err != nil {
		return false
	}
	_ = f.Close() // opened only to see that it opens
	return true
}

// kernelCmdline is the guest kernel's command line. Besides the console and
// failing fast on a panic, it skips the crypto self-tests, which nothing in
// the guest uses and which cost 0.2–0.5 s of a TCG boot: the crypto
// manager's (cryptomgr.notests), and the two that run in their own
// initcalls (the jitter entropy RNG's and the KDF's).
const kernelCmdline = "panic=-1 oops=panic rdinit=/init quiet loglevel=4 " +
	"cryptomgr.notests initcall_blacklist=jent_mod_init,crypto_kdf108_init"

// hostArch is the Debian architecture of this machine.
func hostArch() string { return runtime.GOARCH }

// qemuArgs is the command line that boots kernel for arch: a q35 PC with
// the 16550 console (amd64), or the virt board with the PL011 console and
// the emulator's most capable CPU, pointer authentication off (its
// emulation is slow and nothing in the guest uses it) (arm64).
func qemuArgs(arch, accel, kernel, initrd, logPath string) (bin string, args []string) {
	common := []string{"-m", "768", "-smp", "1",
		"-nographic", "-no-reboot", "-monitor", "none", "-display", "none",
		"-kernel", kernel, "-initrd", initrd,
		"-serial", "file:" + logPath, "-nic", "none"}
	if arch == "arm64" {
		cpu := "max,pauth=off"
		if accel == "kvm" {
			cpu = "host"
		}
		return "qemu-system-aarch64", append([]string{"-machine", "virt,accel=" + accel, "-cpu", cpu,
			"-append", "console=ttyAMA0 " + kernelCmdline}, common...)
	}
	// no_timer_check: under TCG on a loaded host the kernel's IO-APIC
	// timer check can miss its ticks and panic ("IO-APIC + timer doesn't
	// work!", seen with the 6.1 rt kernel at load 10); the emulated timer
	// works, so the check is skipped, as cloud images do for their guests.
	args = append([]string{"-machine", "q35,accel=" + accel, "-append", "console=ttyS0 no_timer_check " + kernelCmdline}, common...)
	if accel == "kvm" {
		args = append(args, "-cpu", "host")
	}
	return "qemu-system-x86_64", args
}

func runQEMU(ctx context.Context, arch, accel, kernel, initrd, logPath string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	bin, args := qemuArgs(arch, accel, kernel, initrd, logPath)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdin = nil // /dev/null
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		return fmt.Errorf("boot timed out after %s", timeout)
	}
	if err != nil {
		return fmt.Errorf("qemu (%s): %w: %s", accel, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

func parseResult(logPath string) (job.Result, error) {
	var res job.Result
	f, err := os.Open(logPath)
	if err != nil {
		return res, fmt.Errorf("read serial log: %w", err)
	}
	defer func() { _ = f.Close() }() // read only: closing loses nothing
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, job.ResultPrefix); i >= 0 {
			if err := json.Unmarshal([]byte(line[i+len(job.ResultPrefix):]), &res); err != nil {
				return res, fmt.Errorf("decode guest result: %w", err)
			}
			return res, nil
		}
	}
	return res, errNoResult
}
