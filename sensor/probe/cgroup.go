package probe

import (
	"bufio"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// rescanEvery bounds how often a cgroup id the hierarchies do not hold
// triggers another walk of them.
const rescanEvery = 2 * time.Second

// cgroupKey is a cgroup id in one hierarchy: ids are per hierarchy, so the
// v1 memory controller's and the unified hierarchy's may collide.
type cgroupKey struct {
	id uint64
	v1 bool
}

// cgroupFS resolves cgroup ids to paths by walking the mounted hierarchies:
// a cgroup's id is its directory's inode number (kernfs). It covers records
// that arrive without the path the probe sends once per cgroup (that first
// record was dropped, or the reader started late). It is not safe for
// concurrent use.
type cgroupFS struct {
	roots   map[bool]string // v1 (memory controller) or not → mount point
	paths   map[cgroupKey]string
	scanned time.Time
}

// newCgroupFS finds the hierarchies in /proc/self/mountinfo; with none it
// resolves nothing.
func newCgroupFS() *cgroupFS {
	c := &cgroupFS{paths: map[cgroupKey]string{}}
	if b, err := os.ReadFile("/proc/self/mountinfo"); err == nil {
		c.roots = cgroupRoots(b)
	}
	return c
}

// path returns the path of cgroup id, walking the hierarchies again when
// it is unknown and the last walk is older than rescanEvery.
func (c *cgroupFS) path(id uint64, v1 bool) (string, bool) {
	if c == nil || c.roots[v1] == "" {
		return "", false
	}
	k := cgroupKey{id, v1}
	if p, ok := c.paths[k]; ok {
		return p, true
	}
	if time.Since(c.scanned) < rescanEvery {
		return "", false
	}
	c.scanned = time.Now()
	for v, root := range c.roots {
		c.scan(root, v)
	}
	p, ok := c.paths[k]
	return p, ok
}

// scan records the id of every cgroup under root. Unreadable directories
// (a cgroup removed mid-walk) are skipped.
func (c *cgroupFS) scan(root string, v1 bool) {
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil //nolint:nilerr // best effort: a cgroup that vanished mid-walk is skipped
		}
		fi, err := d.Info()
		if err != nil {
			return nil //nolint:nilerr // best effort: a cgroup that vanished mid-walk is skipped
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		c.paths[cgroupKey{st.Ino, v1}] = "/" + strings.TrimPrefix(filepath.ToSlash(rel), ".")
		return nil
	})
}

// cgroupRoots reads mountinfo (proc(5)) for the mount points of the unified
// hierarchy (false) and the v1 memory controller's (true), the two the
// probe reports ids from.
func cgroupRoots(mountinfo []byte) map[bool]string {
	roots := map[bool]string{}
	sc := bufio.NewScanner(bytes.NewReader(mountinfo))
	for sc.Scan() {
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		f, g := strings.Fields(pre), strings.Fields(post)
		if !ok || len(f) < 5 || len(g) < 3 || f[3] != "/" {
			continue
		}
		mnt := unescapeMount(f[4])
		switch {
		case g[0] == "cgroup2" && roots[false] == "":
			roots[false] = mnt
		case g[0] == "cgroup" && roots[true] == "" && hasOption(g[2], "memory"):
			roots[true] = mnt
		}
	}
	return roots
}

func hasOption(opts, name string) bool {
	for o := range strings.SplitSeq(opts, ",") {
		if o == name {
			return true
		}
	}
	return false
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && isOctal(s[i+1:i+4]) {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '7' {
			return false
		}
	}
	return true
}
