package matrix

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/probehub/probehub/builder/extract"
	"github.com/probehub/probehub/wire/job"
	"github.com/probehub/probehub/wire/matrixrow"
)

// Options configure a matrix run. Zero values mean the defaults stated.
type Options struct {
	// CacheDir keeps downloaded packages, extracted kernels and the private
	// apt state between runs. Default: $PROBEHUB_CACHE or ~/.cache/probehub.
	CacheDir string
	// OutDir receives serial logs, results.json and results.md. Required.
	OutDir string
	// SensorBin and GuestBin are static amd64 binaries; empty means build
	// them from this checkout with CGO_ENABLED=0. arm64 rows always use
	// arm64 builds of this checkout (Options.bins).
	SensorBin, GuestBin string
	// Jobs bounds the VMs running at once. Default: the number of CPUs.
	Jobs int
	// Timeout bounds one kernel's boot and checks. Default: 120s.
	Timeout time.Duration
	// MinBTF returns the minimized BTF of the kernel in deb for the probe
	// object of arch (amd64, arm64), for detached-BTF rows. Required when
	// any selected row is detached.
	MinBTF func(ctx context.Context, deb, arch string) ([]byte, error)
	// MinBTFKey names what MinBTF's result depends on besides its input
	// (e.g. a digest of the probe object, MinimizedBTFKey). When set,
	// results are kept in CacheDir/minbtf and reused while the input file
	// is unchanged (name, size, modification time).
	MinBTFKey string
	// Rules is a rules file baked into each guest; the sensor runs it and
	// each action must raise its rule. Empty: the guest checks raw capture.
	Rules string
	// Progress, if set, is called as each kernel finishes.
	Progress func(matrixrow.Row)
	// KernelStore holds the kernel images of oci rows (layout:PATH or
	// REGISTRY/REPO). Default: $PROBEHUB_KERNEL_STORE or
	// layout:<CacheDir>/ci-kernels (see KernelStore).
	KernelStore string
	// Profile makes each guest time the sensor's start-up stages (rules,
	// BTF parse, verification of each probe variant, load and attach in
	// each mode) before the real run; the result lands in Row.Guest.Profile.
	// It adds to the boot time and never decides pass or fail.
	Profile bool
	// ProfileBin is the static profile binary; empty means build it.
	ProfileBin string

	// bins are the guest binaries per architecture.
	bins map[string]guestBins
}

// guestBins are the static binaries an initramfs of one architecture holds.
// guestBins are the binaries of one architecture's guests; marker32 is the
// guest built for the architecture's 32-bit ABI where the matrix runs one
// (arm64: a 32-bit ARM program).
type guestBins struct{ guest, sensor, profile, marker32 string }

// Run boots every kernel, up to Jobs at a time, and returns one row each;
// a failing kernel is a failed row, never an aborted run.
func Run(ctx context.Context, kernels []Kernel, o Options) ([]matrixrow.Row, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	if err := o.buildArches(kernels); err != nil {
		return nil, err
	}
	apt := newAptState(o.CacheDir)
	if err := apt.ensure(ctx, kernels); err != nil {
		return nil, err
	}
	// One preparer fetches each kernel and writes its initramfs, at most
	// Jobs kernels ahead of the VMs, so that a VM slot goes straight from
	// one boot to the next.
	preps := make([]prepared, len(kernels))
	ready := make(chan int, o.Jobs)
	go func() {
		defer close(ready)
		for _, i := range longestFirst(kernels, lastTimes(o.OutDir)) {
			preps[i] = prepare(ctx, apt, kernels[i], o)
			select {
			case ready <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	rows := make([]matrixrow.Row, len(kernels))
	var wg sync.WaitGroup
	for range o.Jobs {
		wg.Go(func() {
			for i := range ready {
				rows[i] = bootPrepared(ctx, preps[i], o)
				if o.Progress != nil {
					o.Progress(rows[i])
				}
			}
		})
	}
	wg.Wait()
	for i := range rows {
		if rows[i].Name == "" { // never prepared: ctx ended
			rows[i] = matrixrow.Row{Name: kernels[i].Name, BTF: kernels[i].BTF, FailedStep: "prepare", Error: context.Cause(ctx).Error()}
		}
	}
	return rows, ctx.Err()
}

// longestFirst is the order to start the kernels in: by the time each took
// last (those never timed first, then the longest), so that a long kernel
// does not start last and leave the other CPUs idle at the end.
func longestFirst(kernels []Kernel, last map[string]float64) []int {
	order := make([]int, len(kernels))
	for i := range order {
		order[i] = i
	}
	key := func(i int) float64 {
		if t, ok := last[kernels[i].Name]; ok {
			return t
		}
		return math.Inf(1)
	}
	sort.SliceStable(order, func(a, b int) bool { return key(order[a]) > key(order[b]) })
	return order
}

// lastTimes reads each kernel's boot time from the results.json a previous
// run left in dir; none when there is none.
func lastTimes(dir string) map[string]float64 {
	b, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		return nil
	}
	var rows []matrixrow.Row
	if json.Unmarshal(b, &rows) != nil {
		return nil
	}
	last := map[string]float64{}
	for _, r := range rows {
		last[r.Name] = r.BootSeconds
	}
	return last
}

func (o *Options) defaults() error {
	if o.OutDir == "" {
		return fmt.Errorf("matrix: OutDir is required")
	}
	if o.CacheDir == "" {
		o.CacheDir = os.Getenv("PROBEHUB_CACHE")
	}
	if o.CacheDir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return fmt.Errorf("matrix: no cache dir: %w", err)
		}
		o.CacheDir = filepath.Join(home, ".cache", "probehub")
	}
	if o.Jobs <= 0 {
		o.Jobs = runtime.NumCPU()
	}
	if o.Timeout <= 0 {
		o.Timeout = 120 * time.Second
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return fmt.Errorf("matrix: create out dir: %w", err)
	}
	var err error
	if o.GuestBin == "" {
		if o.GuestBin, err = buildStatic(o.OutDir, "amd64", "guest", "./ci/guest"); err != nil {
			return err
		}
	}
	if o.SensorBin == "" {
		if o.SensorBin, err = buildStatic(o.OutDir, "amd64", "probehub-sensor", "./cmd/probehub-sensor"); err != nil {
			return err
		}
	}
	if o.Profile && o.ProfileBin == "" {
		if o.ProfileBin, err = buildStatic(o.OutDir, "amd64", "profile", "./ci/guest/profile"); err != nil {
			return err
		}
	}
	o.bins = map[string]guestBins{"amd64": {guest: o.GuestBin, sensor: o.SensorBin, profile: o.ProfileBin}}
	return nil
}

// buildArches builds the guest binaries of each architecture the kernels
// need besides amd64 (cross-compiled: the binaries are pure Go).
func (o *Options) buildArches(kernels []Kernel) error {
	for _, k := range kernels {
		if _, ok := o.bins[k.Arch]; ok {
			continue
		}
		var b guestBins
		var err error
		if b.guest, err = buildStatic(o.OutDir, k.Arch, "guest", "./ci/guest"); err != nil {
			return err
		}
		if b.sensor, err = buildStatic(o.OutDir, k.Arch, "probehub-sensor", "./cmd/probehub-sensor"); err != nil {
			return err
		}
		if k.Arch == "arm64" {
			if b.marker32, err = buildStatic(o.OutDir, "arm", "guest", "./ci/guest"); err != nil {
				return err
			}
		}
		if o.Profile {
			if b.profile, err = buildStatic(o.OutDir, k.Arch, "profile", "./ci/guest/profile"); err != nil {
				return err
			}
		}
		o.bins[k.Arch] = b
	}
	return nil
}

// buildStatic builds a static binary of pkg for the Debian architecture
// goarch (Go's names agree) from the module that holds the working
// directory.
func buildStatic(dir, goarch, name, pkg string) (string, error) {
	if goarch != "amd64" {
		name += "-" + goarch
	}
	out, err := filepath.Abs(filepath.Join(dir, "bin", name))
	if err != nil {
		return "", err
	}
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch)
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build %s: %w: %s", pkg, err, b)
	}
	return out, nil
}

// minBTF is o.MinBTF, through the cache when o.MinBTFKey is set.
func (o *Options) minBTF(ctx context.Context, input, arch string) ([]byte, error) {
	if o.MinBTFKey == "" {
		return o.MinBTF(ctx, input, arch)
	}
	fi, err := os.Stat(input)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(o.CacheDir, "minbtf", fmt.Sprintf("%s-%s-%s-%d-%d.btf",
		o.MinBTFKey, arch, filepath.Base(input), fi.Size(), fi.ModTime().UnixNano()))
	if b, err := os.ReadFile(path); err == nil {
		return b, nil
	}
	b, err := o.MinBTF(ctx, input, arch)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err == nil {
		tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
		if os.WriteFile(tmp, b, 0o644) == nil {
			_ = os.Rename(tmp, path)
		}
	}
	return b, nil
}

// prepared is a kernel ready to boot: its row so far, the kernel to hand
// qemu and the initramfs. With final set, the row is done (it failed or was
// skipped before booting).
type prepared struct {
	k       Kernel
	row     matrixrow.Row
	final   bool
	vmlinux string
	initrd  string
}

// prepare fetches the kernel of k and writes its initramfs.
func prepare(ctx context.Context, apt *aptState, k Kernel, o Options) prepared {
	p := prepared{k: k, row: matrixrow.Row{Name: k.Name, BTF: k.BTF, Log: filepath.Join(o.OutDir, k.Name+".serial.log")}}
	start := time.Now()
	fail := func(step string, err error) prepared {
		p.row.FailedStep, p.row.Error, p.final = step, err.Error(), true
		return p
	}
	kern, step, err := fetchKernel(ctx, apt, k, o)
	if errors.Is(err, ErrKernelNotBuilt) {
		p.row.Skipped, p.final = err.Error(), true
		return p
	}
	if err != nil {
		return fail(step, err)
	}
	p.row.Package, p.row.Release = kern.Package, kern.Release
	p.row.Key = fmt.Sprintf("%s/%s/%s/%s", k.Distro.ID, k.Distro.VersionID, k.Machine(), p.row.Release)
	if p.initrd, err = buildInitramfs(ctx, k, p.row.Release, kern.BTFInput, o); err != nil {
		return fail("initramfs", err)
	}
	p.vmlinux = kern.Vmlinuz
	if k.Arch == "amd64" {
		p.vmlinux = pvhImage(ctx, kern.Vmlinuz)
	}
	p.row.PrepSeconds = time.Since(start).Seconds()
	return p
}

// bootPrepared boots a prepared kernel and completes its row.
func bootPrepared(ctx context.Context, p prepared, o Options) matrixrow.Row {
	row := p.row
	if p.final {
		return row
	}
	fail := func(step string, err error) matrixrow.Row {
		row.FailedStep, row.Error = step, err.Error()
		return row
	}
	res, accel, took, err := boot(ctx, p.k.Arch, p.vmlinux, p.initrd, row.Log, o.Timeout)
	row.BootSeconds, row.Accel = took.Seconds(), accel
	row.Guest = res
	if err != nil {
		return fail("boot", err)
	}
	if err := checkKernelBTF(p.k, res); err != nil {
		return fail("kernel-btf", err)
	}
	row.OK = res.OK
	for _, s := range res.Steps {
		if !s.OK {
			row.FailedStep, row.Error = s.Name, s.Detail
			break
		}
	}
	return row
}

// moduleRoot finds the directory holding go.mod above the working directory.
func moduleRoot() (string, error) {
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		p := filepath.Dir(d)
		if p == d {
			return "", fmt.Errorf("matrix: no go.mod above the working directory: run from the probehub checkout")
		}
		d = p
	}
}

// kernelImage returns the kernel image of a .deb, extracted once into dir
// (pure Go: the .deb is streamed only up to boot/vmlinuz-*).
func kernelImage(ctx context.Context, deb, dir string) (string, error) {
	out := filepath.Join(dir, strings.TrimSuffix(filepath.Base(deb), ".deb")+".vmlinuz")
	if _, err := os.Stat(out); err == nil {
		return out, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create kernel cache: %w", err)
	}
	f, err := os.Open(deb)
	if err != nil {
		return "", fmt.Errorf("open kernel package: %w", err)
	}
	defer func() { _ = f.Close() }() // read only: closing loses nothing
	_, image, err := extract.DebKernel(ctx, f)
	if err != nil {
		return "", fmt.Errorf("kernel image of %s: %w", deb, err)
	}
	tmp := out + ".tmp"
	if err := os.WriteFile(tmp, image, 0o644); err != nil {
		return "", fmt.Errorf("write kernel image: %w", err)
	}
	return out, os.Rename(tmp, out)
}

// buildInitramfs writes the guest's initramfs: the test init, the static
// sensor, the job and (detached rows) the minimized BTF.
func buildInitramfs(ctx context.Context, k Kernel, release, deb string, o Options) (string, error) {
	bins, ok := o.bins[k.Arch]
	if !ok {
		return "", fmt.Errorf("%s: no guest binaries for %s", k.Name, k.Arch)
	}
	guest, err := os.ReadFile(bins.guest)
	if err != nil {
		return "", fmt.Errorf("read guest init: %w", err)
	}
	sensor, err := os.ReadFile(bins.sensor)
	if err != nil {
		return "", fmt.Errorf("read sensor: %w", err)
	}
	j := defaultJob(release, k.BTF, o.Rules != "", k.Arch)
	var prof []byte
	if o.Profile {
		if prof, err = os.ReadFile(bins.profile); err != nil {
			return "", fmt.Errorf("read profile: %w", err)
		}
		j.Profile = profileArgv(k.BTF, o.Rules != "")
	}
	jb, _ := json.MarshalIndent(j, "", "  ")
	files := map[string]File{
		"init":                            {Mode: 0o755, Data: guest},
		"bin/probehub-sensor":             {Mode: 0o755, Data: sensor},
		"bin/marker":                      {Mode: 0o755, Data: guest},
		strings.TrimPrefix(job.Path, "/"): {Mode: 0o644, Data: jb},
		"etc/passwd":                      {Mode: 0o644, Data: []byte("root:x:0:0:root:/root:/bin/sh\n")},
		"etc/group":                       {Mode: 0o644, Data: []byte("root:x:0:\n")},
		"etc/shadow":                      {Mode: 0o600, Data: []byte("root:*:19000:0:99999:7:::\n")},
		"etc/os-release":                  {Mode: 0o644, Data: []byte(fmt.Sprintf("ID=%s\nVERSION_ID=%q\n", k.Distro.ID, k.Distro.VersionID))},
		"dev":                             {Dir: true, Mode: 0o755},
		"tmp":                             {Dir: true, Mode: 0o1777},
	}
	if prof != nil {
		files[strings.TrimPrefix(ProfilePath, "/")] = File{Mode: 0o755, Data: prof}
	}
	if bins.marker32 != "" {
		m, err := os.ReadFile(bins.marker32)
		if err != nil {
			return "", fmt.Errorf("read 32-bit marker: %w", err)
		}
		files[strings.TrimPrefix(job.Marker32Path, "/")] = File{Mode: 0o755, Data: m}
	}
	if o.Rules != "" {
		b, err := os.ReadFile(o.Rules)
		if err != nil {
			return "", fmt.Errorf("read rules: %w", err)
		}
		files[strings.TrimPrefix(RulesPath, "/")] = File{Mode: 0o644, Data: b}
	}
	if k.BTF.FromArtifact() {
		if o.MinBTF == nil {
			return "", fmt.Errorf("%s is a detached-BTF row but no minimizer is configured", k.Name)
		}
		b, err := o.minBTF(ctx, deb, k.Arch)
		if err != nil {
			return "", fmt.Errorf("minimized BTF for %s: %w", k.Name, err)
		}
		files["artifact/min.btf"] = File{Mode: 0o644, Data: b}
	}
	var buf bytes.Buffer
	if err := WriteCPIO(&buf, files); err != nil {
		return "", err
	}
	out := filepath.Join(o.OutDir, k.Name+".initramfs.cpio")
	return out, os.WriteFile(out, buf.Bytes(), 0o644)
}
