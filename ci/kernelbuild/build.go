package kernelbuild

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// ErrConfig is wrapped when the final .config lacks symbols of the fragment.
var ErrConfig = errors.New("config fragment not applied")

// ErrTools is wrapped when a program the kernel build needs is missing.
var ErrTools = errors.New("kernel build tools missing")

// Config is one kernel build.
type Config struct {
	// Source is the kernel tree (Fetcher.Fetch). Required.
	Source string
	// Out is the build directory (make O=), kept between builds so a rebuild
	// is incremental. Required.
	Out string
	// Base is the make target that writes the starting .config. Default:
	// "tinyconfig".
	Base string
	// Fragment is merged on top of Base with scripts/kconfig/merge_config.sh;
	// every symbol must survive olddefconfig.
	Fragment Fragment
	// Jobs is make's -j. Default: the number of CPUs.
	Jobs int
	// Nice is the build's niceness: it shares the machine. Default: 10.
	Nice int
	// Timestamp, User and Host fix the banner (/proc/version) so that a
	// rebuild of the same source and config gives the same kernel.
	// Defaults: 2025-01-01 00:00:00 UTC, "probehub", "probehub-matrix".
	Timestamp, User, Host string
	// Log receives make's output. Default: Out/build.log.
	Log io.Writer
}

// Result is a built kernel.
type Result struct {
	Release   string        // uname -r (include/config/kernel.release)
	Vmlinuz   string        // arch/x86/boot/bzImage
	Vmlinux   string        // the ELF with DWARF
	Config    string        // .config
	SystemMap string        // System.map
	Symbols   int           // symbols set (=y, =m or a value) in .config
	Elapsed   time.Duration // make's wall time
}

// Tools the build runs; libelf's header is for objtool.
var tools = []string{"make", "gcc", "flex", "bison", "bc", "perl", "tar", "xz"}

// CheckTools reports the missing programs (and libelf-dev), naming the Debian
// packages that provide them.
func CheckTools() error {
	var missing []string
	for _, t := range tools {
		if _, err := exec.LookPath(t); err != nil {
			missing = append(missing, t)
		}
	}
	if _, err := os.Stat("/usr/include/libelf.h"); err != nil {
		missing = append(missing, "libelf-dev")
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: %s (apt-get install build-essential flex bison bc libelf-dev xz-utils)", ErrTools, strings.Join(missing, ", "))
	}
	return nil
}

func (c *Config) defaults() error {
	if c.Source == "" || c.Out == "" {
		return errors.New("kernelbuild: Source and Out are required")
	}
	var err error
	if c.Source, err = filepath.Abs(c.Source); err != nil {
		return err
	}
	if c.Out, err = filepath.Abs(c.Out); err != nil {
		return err
	}
	if c.Base == "" {
		c.Base = "tinyconfig"
	}
	if c.Jobs <= 0 {
		c.Jobs = runtime.NumCPU()
	}
	if c.Nice == 0 {
		c.Nice = 10
	}
	if c.Timestamp == "" {
		c.Timestamp = "2025-01-01 00:00:00 UTC"
	}
	if c.User == "" {
		c.User = "probehub"
	}
	if c.Host == "" {
		c.Host = "probehub-matrix"
	}
	return os.MkdirAll(c.Out, 0o755)
}

// Build configures and builds the kernel (bzImage, which links vmlinux).
func Build(ctx context.Context, c Config) (_ *Result, err error) {
	if err := c.defaults(); err != nil {
		return nil, err
	}
	if err := CheckTools(); err != nil {
		return nil, err
	}
	log := c.Log
	if log == nil {
		f, err := os.Create(filepath.Join(c.Out, "build.log"))
		if err != nil {
			return nil, fmt.Errorf("create build log: %w", err)
		}
		defer func() {
			if cerr := f.Close(); cerr != nil && err == nil {
				err = fmt.Errorf("close build log: %w", cerr)
			}
		}()
		log = f
	}
	n, err := Configure(ctx, c, log)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if err := c.make(ctx, log, "-j"+strconv.Itoa(c.Jobs), "bzImage"); err != nil {
		return nil, fmt.Errorf("build kernel: %w (log: %s)", err, filepath.Join(c.Out, "build.log"))
	}
	res := &Result{
		Vmlinuz: filepath.Join(c.Out, "arch/x86/boot/bzImage"), Vmlinux: filepath.Join(c.Out, "vmlinux"),
		Config: filepath.Join(c.Out, ".config"), SystemMap: filepath.Join(c.Out, "System.map"),
		Symbols: n, Elapsed: time.Since(start),
	}
	b, err := os.ReadFile(filepath.Join(c.Out, "include/config/kernel.release"))
	if err != nil {
		return nil, fmt.Errorf("read kernel release: %w", err)
	}
	res.Release = strings.TrimSpace(string(b))
	return res, nil
}

// Configure writes Out/.config: Base, then the fragment merged on top, then
// olddefconfig; it fails with ErrConfig naming every fragment symbol Kconfig
// dropped. An unchanged .config keeps its modification time, so make
// rebuilds nothing for it. It returns the number of symbols set.
func Configure(ctx context.Context, c Config, log io.Writer) (int, error) {
	if err := c.defaults(); err != nil {
		return 0, err
	}
	cfg := filepath.Join(c.Out, ".config")
	prev, _ := os.ReadFile(cfg)
	prevInfo, _ := os.Stat(cfg)
	frag := filepath.Join(c.Out, "fragment.config")
	if err := os.WriteFile(frag, c.Fragment.Bytes(), 0o644); err != nil {
		return 0, fmt.Errorf("write config fragment: %w", err)
	}
	if err := c.make(ctx, log, c.Base); err != nil {
		return 0, fmt.Errorf("make %s: %w", c.Base, err)
	}
	merge := exec.CommandContext(ctx, "scripts/kconfig/merge_config.sh", "-m", "-O", c.Out, cfg, frag)
	merge.Dir, merge.Env, merge.Stdout, merge.Stderr = c.Source, append(os.Environ(), "ARCH=x86_64"), log, log
	if err := merge.Run(); err != nil {
		return 0, fmt.Errorf("merge config fragment: %w", err)
	}
	if err := c.make(ctx, log, "olddefconfig"); err != nil {
		return 0, fmt.Errorf("make olddefconfig: %w", err)
	}
	final, err := os.ReadFile(cfg)
	if err != nil {
		return 0, fmt.Errorf("read .config: %w", err)
	}
	ms, err := c.Fragment.Check(final)
	if err != nil {
		return 0, err
	}
	if len(ms) > 0 {
		var s []string
		for _, m := range ms {
			s = append(s, m.String())
		}
		return 0, fmt.Errorf("%w: %s (an unmet dependency or a symbol this kernel lacks: see make menuconfig)", ErrConfig, strings.Join(s, ", "))
	}
	if prevInfo != nil && bytes.Equal(prev, final) {
		_ = os.Chtimes(cfg, prevInfo.ModTime(), prevInfo.ModTime())
	}
	return countSet(final), nil
}

// countSet counts the symbols a .config sets.
func countSet(config []byte) int {
	n := 0
	for _, line := range bytes.Split(config, []byte("\n")) {
		if bytes.HasPrefix(line, []byte("CONFIG_")) {
			n++
		}
	}
	return n
}

// make runs make in the source tree for the build directory, niced, with a
// fixed banner.
func (c *Config) make(ctx context.Context, log io.Writer, args ...string) error {
	argv := append([]string{"-n", strconv.Itoa(c.Nice), "make", "-C", c.Source, "O=" + c.Out, "ARCH=x86_64"}, args...)
	cmd := exec.CommandContext(ctx, "nice", argv...)
	cmd.Env = append(os.Environ(), "KBUILD_BUILD_TIMESTAMP="+c.Timestamp, "KBUILD_BUILD_USER="+c.User, "KBUILD_BUILD_HOST="+c.Host)
	var tail bytes.Buffer
	cmd.Stdout = log
	cmd.Stderr = io.MultiWriter(log, &tail)
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("make %s: %w: %s", strings.Join(args, " "), err, lastLines(tail.String(), 5))
	}
	return nil
}
