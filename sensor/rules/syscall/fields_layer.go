package syscall

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/probehub/probehub/sensor/event"
)

// The overlay layer of an fd's file (fd.is_upper_layer, fd.is_lower_layer),
// found from user space when a rule asks: the process's mountinfo gives the
// mount the path is on; on an overlay, the file is in the upper layer when
// the mount's upperdir (read under the host root) has it, else in a lower
// one. Falco's driver decides at open time in the kernel; here it is
// decided when the event is evaluated, so a copy-up in between shows the
// file as upper. Files on other filesystems are in neither layer.

// fdLayer returns whether e's file is in the upper layer and whether it is
// in a lower one; ok is false when that cannot be told (not a file, a
// failed open, no /proc, the file is gone).
func (s *Source) fdLayer(e *event.Event) (upper, lower, ok bool) {
	if e.FD == nil || e.FD.Num < 0 || (e.FD.Type != 'f' && e.FD.Type != 'd') || !strings.HasPrefix(e.FD.Name, "/") {
		return false, false, false
	}
	pid := e.Proc.PID
	info, ok := s.procFile(pid, 0, "mountinfo")
	if !ok && s.sameMountNS(e.Proc.PPID, e.Proc.MntNS) {
		// The process is gone (a short-lived one often is by the time its
		// event is evaluated): its parent sees the same mounts.
		pid = e.Proc.PPID
		info, ok = s.procFile(pid, 0, "mountinfo")
	}
	if !ok {
		return false, false, false
	}
	m, ok := mountOf(info, e.FD.Name)
	if !ok {
		return false, false, false
	}
	if m.fstype != "overlay" {
		return false, false, true
	}
	upperDir := superOption(m.super, "upperdir")
	if upperDir == "" {
		return false, true, true // a read-only overlay: every file is in a lower layer
	}
	rel := strings.TrimPrefix(e.FD.Name, m.point)
	candidate := filepath.Join(filepath.Dir(s.procRoot), upperDir, m.root, rel)
	if _, err := os.Lstat(candidate); err == nil {
		return true, false, true
	}
	// Not in the upper layer: in a lower one if the process still sees it.
	seen := filepath.Join(s.procRoot, strconv.FormatUint(uint64(pid), 10), "root", e.FD.Name)
	if _, err := os.Lstat(seen); err != nil {
		return false, false, false
	}
	return false, true, true
}

// sameMountNS reports whether process pid is in mount namespace ns (the
// inode number the event carries).
func (s *Source) sameMountNS(pid, ns uint32) bool {
	if s.procRoot == "" || pid == 0 || ns == 0 {
		return false
	}
	var st syscall.Stat_t
	p := filepath.Join(s.procRoot, strconv.FormatUint(uint64(pid), 10), "ns", "mnt")
	return syscall.Stat(p, &st) == nil && st.Ino == uint64(ns)
}

// mount is one line of /proc/PID/mountinfo.
type mount struct {
	root, point, fstype, super string
}

// mountOf returns the mount path is on: the last mounted of those with the
// longest mount point that is path or a directory above it.
func mountOf(info []byte, path string) (mount, bool) {
	var best mount
	found := false
	for line := range bytes.SplitSeq(info, []byte("\n")) {
		m, ok := parseMountinfo(string(line))
		if !ok || !under(path, m.point) {
			continue
		}
		if !found || len(m.point) >= len(best.point) {
			best, found = m, true
		}
	}
	return best, found
}

// parseMountinfo reads "ID PARENT MAJ:MIN ROOT POINT OPTS [OPTIONAL…] -
// FSTYPE SOURCE SUPER" (proc(5)); octal escapes in paths are decoded.
func parseMountinfo(line string) (mount, bool) {
	pre, post, ok := strings.Cut(line, " - ")
	if !ok {
		return mount{}, false
	}
	f, g := strings.Fields(pre), strings.Fields(post)
	if len(f) < 6 || len(g) < 3 {
		return mount{}, false
	}
	return mount{root: unescapeOctal(f[3]), point: unescapeOctal(f[4]), fstype: g[0], super: g[2]}, true
}

// under reports whether path is dir or below it.
func under(path, dir string) bool {
	if dir == "/" {
		return true
	}
	return path == dir || strings.HasPrefix(path, dir+"/")
}

// superOption returns the value of key=value in a comma-separated option
// list ("" when absent).
func superOption(opts, key string) string {
	for o := range strings.SplitSeq(opts, ",") {
		if v, ok := strings.CutPrefix(o, key+"="); ok {
			return unescapeOctal(v)
		}
	}
	return ""
}

// unescapeOctal decodes mountinfo's \NNN escapes (blank, tab, newline,
// backslash).
func unescapeOctal(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }
