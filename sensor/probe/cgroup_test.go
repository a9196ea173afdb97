package probe

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCgroupRoots(t *testing.T) {
	tests := []struct {
		desc, mountinfo string
		want            map[bool]string
	}{{
		desc:      "unified only",
		mountinfo: "35 24 0:30 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n",
		want:      map[bool]string{false: "/sys/fs/cgroup"},
	}, {
		desc: "hybrid",
		mountinfo: "30 25 0:26 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n" +
			"33 25 0:29 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n" +
			"38 25 0:34 / /sys/fs/cgroup/unified rw shared:9 - cgroup2 cgroup2 rw\n",
		want: map[bool]string{false: "/sys/fs/cgroup/unified", true: "/sys/fs/cgroup/memory"},
	}, {
		desc:      "escaped mount point, bind of a sub-tree skipped",
		mountinfo: "38 25 0:34 /sub /mnt/x rw - cgroup2 cgroup2 rw\n40 25 0:34 / /mnt/a\\040b rw - cgroup2 cgroup2 rw\n",
		want:      map[bool]string{false: "/mnt/a b"},
	}, {
		desc:      "garbage",
		mountinfo: "x\n - \n1 2 3 4\n",
		want:      map[bool]string{},
	}}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, cgroupRoots([]byte(tc.mountinfo))); diff != "" {
				t.Errorf("roots (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCgroupFSPath resolves this process's cgroups by id, as a record
// without its path would be.
func TestCgroupFSPath(t *testing.T) {
	c := newCgroupFS()
	if len(c.roots) == 0 {
		t.Skip("no cgroup hierarchy mounted")
	}
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		f := strings.SplitN(strings.TrimSpace(line), ":", 3)
		if len(f) != 3 {
			continue
		}
		v1 := hasOption(f[1], "memory")
		if f[0] != "0" && !v1 || c.roots[v1] == "" {
			continue
		}
		var st syscall.Stat_t
		if err := syscall.Stat(filepath.Join(c.roots[v1], f[2]), &st); err != nil {
			t.Fatal(err)
		}
		got, ok := c.path(st.Ino, v1)
		if !ok || got != f[2] {
			t.Errorf("path of cgroup %d (v1 %v) = %q, %v; want %q", st.Ino, v1, got, ok, f[2])
		}
	}
	if _, ok := c.path(1<<62, false); ok {
		t.Error("found a path for an id no cgroup has")
	}
}
