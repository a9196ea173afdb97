// Package hostinfo detects the node's kernel key (os-release ID and
// VERSION_ID, machine, release) and banner (/proc/version), optionally under
// a host root as a DaemonSet mounts the host (HOSTROOT/etc/os-release,
// HOSTROOT/proc/version).
package hostinfo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/probehub/probehub/kernels"
)

// KernelBTFPath is where a kernel with CONFIG_DEBUG_INFO_BTF exposes its BTF.
const KernelBTFPath = "/sys/kernel/btf/vmlinux"

// Host is what the boot fetch needs to know about the node.
type Host struct {
	Key    kernels.Key `json:"key"`
	Banner string      `json:"banner"` // /proc/version without its newline
	// KernelBTF is the path of the kernel's own BTF, "" when it has none.
	KernelBTF string `json:"kernelBTF,omitempty"`
}

// Detect reads the host under root ("" or "/" for this machine). The release
// comes from ROOT/proc/sys/kernel/osrelease, else uname; the machine from
// uname (the kernel is shared with any container).
func Detect(root string) (Host, error) {
	if root == "" {
		root = "/"
	}
	osr, err := readOSRelease(root)
	if err != nil {
		return Host{}, err
	}
	banner, err := os.ReadFile(filepath.Join(root, "proc", "version"))
	if err != nil {
		return Host{}, fmt.Errorf("read kernel banner: %w", err)
	}
	u, err := uname()
	if err != nil {
		return Host{}, err
	}
	if b, err := os.ReadFile(filepath.Join(root, "proc", "sys", "kernel", "osrelease")); err == nil {
		u.release = strings.TrimSpace(string(b))
	}
	h := Host{
		Key:    kernels.Key{Distro: osr["ID"], VersionID: osr["VERSION_ID"], Arch: u.machine, Release: u.release},
		Banner: strings.TrimRight(string(banner), "\n"),
	}
	if err := h.Key.Validate(); err != nil {
		return h, fmt.Errorf("detect kernel key: %w", err)
	}
	btf := filepath.Join(root, KernelBTFPath)
	if _, err := os.Stat(btf); err == nil {
		h.KernelBTF = btf
	}
	return h, nil
}

func readOSRelease(root string) (map[string]string, error) {
	var errs []error
	for _, p := range []string{"etc/os-release", "usr/lib/os-release"} {
		b, err := os.ReadFile(filepath.Join(root, p))
		if errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read os-release: %w", err)
		}
		return ParseOSRelease(string(b))
	}
	return nil, fmt.Errorf("read os-release: %w", errors.Join(errs...))
}

// ParseOSRelease parses os-release(5) text: KEY=VALUE lines, values
// optionally quoted, '#' comments. It requires ID and VERSION_ID.
func ParseOSRelease(s string) (map[string]string, error) {
	out := map[string]string{}
	for line := range strings.Lines(s) {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("parse os-release: line %q: want KEY=VALUE", line)
		}
		out[k] = unquote(v)
	}
	if out["ID"] == "" || out["VERSION_ID"] == "" {
		return nil, errors.New("parse os-release: ID and VERSION_ID are required (a rolling distribution has no VERSION_ID: publish its kernels under a VERSION_ID you choose and set it in /etc/os-release)")
	}
	return out, nil
}

func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		v = v[1 : len(v)-1]
		v = strings.NewReplacer(`\"`, `"`, `\$`, `$`, "\\`", "`", `\\`, `\`).Replace(v)
	}
	return v
}
