package syscall

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/event"
)

// TestFDLayerRealOverlay mounts a real overlayfs (a lower and an upper
// directory) and reads fd.is_upper_layer and fd.is_lower_layer of files
// of each layer, of a file copied up by a write, of a file off the
// overlay and of a deleted one.
func TestFDLayerRealOverlay(t *testing.T) {
	testutil.RequireRoot(t)
	dir := t.TempDir()
	lower, upper, work, merged := filepath.Join(dir, "lower"), filepath.Join(dir, "upper"), filepath.Join(dir, "work"), filepath.Join(dir, "merged dir")
	for _, d := range []string{lower, upper, work, merged} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{filepath.Join(lower, "from-lower"), filepath.Join(lower, "copied-up"), filepath.Join(upper, "from-upper")} {
		if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := unix.Mount("overlay", merged, "overlay", 0, "lowerdir="+lower+",upperdir="+upper+",workdir="+work); err != nil {
		testutil.SkipOrFail(t, "mount overlay: "+err.Error())
	}
	t.Cleanup(func() { _ = unix.Unmount(merged, unix.MNT_DETACH) })
	if err := os.WriteFile(filepath.Join(merged, "copied-up"), []byte("y"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := New(WithProcFS("/proc"))
	pid := uint32(os.Getpid())
	for _, tc := range []struct {
		name         string
		path         string
		upper, lower string // "" when missing
	}{
		{"lower layer", filepath.Join(merged, "from-lower"), "false", "true"},
		{"upper layer", filepath.Join(merged, "from-upper"), "true", "false"},
		{"copied up by a write", filepath.Join(merged, "copied-up"), "true", "false"},
		{"off the overlay", filepath.Join(lower, "from-lower"), "false", "false"},
		{"gone", filepath.Join(merged, "never-there"), "", ""},
	} {
		e := &event.Event{Type: event.TypeOpenat, Proc: event.Process{PID: pid, TID: pid},
			FD: &event.FD{Num: 3, Type: 'f', Name: tc.path}}
		for field, want := range map[string]string{"fd.is_upper_layer": tc.upper, "fd.is_lower_layer": tc.lower} {
			got, ok := value(t, s, field, "", e)
			if !ok {
				got = ""
			}
			if got != want {
				t.Errorf("%s: %s = %q, want %q", tc.name, field, got, want)
			}
		}
	}

	// A process that is gone by the time its event is evaluated: its
	// parent, in the same mount namespace, gives the mounts.
	cmd := exec.Command("/bin/true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	var st unix.Stat_t
	if err := unix.Stat("/proc/self/ns/mnt", &st); err != nil {
		t.Fatal(err)
	}
	gone := &event.Event{Type: event.TypeOpenat,
		Proc: event.Process{PID: uint32(cmd.Process.Pid), TID: uint32(cmd.Process.Pid), PPID: pid, MntNS: uint32(st.Ino)},
		FD:   &event.FD{Num: 3, Type: 'f', Name: filepath.Join(merged, "from-lower")}}
	if got, ok := value(t, s, "fd.is_lower_layer", "", gone); !ok || got != "true" {
		t.Errorf("exited process: fd.is_lower_layer = %q, %v; want true from its parent's mounts", got, ok)
	}
}

func TestParseMountinfo(t *testing.T) {
	for _, tc := range []struct {
		desc, line string
		want       mount
		ok         bool
	}{
		{"overlay root of a container",
			"1203 1100 0:311 / / rw,relatime master:1 - overlay overlay rw,lowerdir=/var/lib/l/1:/var/lib/l/2,upperdir=/var/lib/c/fs,workdir=/var/lib/c/work",
			mount{root: "/", point: "/", fstype: "overlay", super: "rw,lowerdir=/var/lib/l/1:/var/lib/l/2,upperdir=/var/lib/c/fs,workdir=/var/lib/c/work"}, true},
		{"no optional fields, escaped blank", `36 35 98:0 /mnt1 /mnt\0402 rw,noatime - ext3 /dev/root rw,errors=continue`,
			mount{root: "/mnt1", point: "/mnt 2", fstype: "ext3", super: "rw,errors=continue"}, true},
		{"no separator", "36 35 98:0 / / rw", mount{}, false},
		{"short", "36 35 - ext3 /dev/root rw", mount{}, false},
	} {
		got, ok := parseMountinfo(tc.line)
		if ok != tc.ok || got != tc.want {
			t.Errorf("%s: got %+v, %v; want %+v, %v", tc.desc, got, ok, tc.want, tc.ok)
		}
	}
	if got := superOption("rw,upperdir=/a\\040b,workdir=/w", "upperdir"); got != "/a b" {
		t.Errorf("superOption = %q", got)
	}
	if got, ok := mountOf([]byte("1 0 0:1 / / rw - ext4 /dev/sda rw\n2 1 0:2 / /var rw - overlay o rw,upperdir=/u\n3 1 0:3 / /variable rw - tmpfs t rw\n"), "/var/x"); !ok || got.point != "/var" {
		t.Errorf("mountOf(/var/x) = %+v, %v; want /var", got, ok)
	}
}
