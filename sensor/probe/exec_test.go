package probe

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/event"
)

// memfdExec copies path into a memfd and execs it through /proc/self/fd,
// the fileless execution Falco's "Fileless execution via memfd_create"
// rule looks for. It returns only on failure.
func memfdExec(path string) int {
	fd, err := unix.MemfdCreate("probehub-payload", 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	src, err := os.Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if _, err := io.Copy(os.NewFile(uintptr(fd), "memfd"), src); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	err = unix.Exec("/proc/self/fd/"+strconv.Itoa(fd), []string{"payload", "from-memfd"}, nil)
	fmt.Fprintln(os.Stderr, err)
	return 1
}

func TestCaptureMemfdExec(t *testing.T) {
	for _, m := range []mode{buffers[0], buffers[2]} {
		t.Run(m.name, func(t *testing.T) {
			p := load(t, m, event.TypeExecve)
			cmd := exec.Command(os.Args[0])
			cmd.Env = append(os.Environ(), helperEnv+"=memfd:/bin/true")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("memfd exec: %v: %s", err, out)
			}
			pid := uint32(cmd.Process.Pid)
			ev := await(t, p, "execve", func(ev event.Event) bool {
				f, _ := ev.Args.String("filename")
				return ev.Type == event.TypeExecve && ev.Proc.PID == pid && strings.HasPrefix(f, "/proc/self/fd/")
			})
			if !ev.Proc.ExeFromMemfd || !strings.HasPrefix(ev.Proc.ExePath, "/memfd:probehub-payload") {
				t.Errorf("exe from memfd %v, exepath %q, want true, /memfd:probehub-payload…", ev.Proc.ExeFromMemfd, ev.Proc.ExePath)
			}
			if ev.Proc.ExeUpperLayer || ev.Proc.ExeLowerLayer {
				t.Error("exe overlay layer set for a memfd")
			}
		})
	}
}

func TestCaptureFailedExec(t *testing.T) {
	p := load(t, buffers[0], event.TypeExecve)
	const missing = "/nonexistent/probehub-marker"
	cmd := exec.Command(missing, "one", "two")
	if err := cmd.Run(); err == nil {
		t.Fatal("exec of a missing file succeeded")
	}
	ev := await(t, p, "failed execve", func(ev event.Event) bool {
		f, _ := ev.Args.String("filename")
		return ev.Type == event.TypeExecve && f == missing
	})
	exe, _ := ev.Args.String("exe")
	args, _ := ev.Args.String("args")
	if ev.Res != -int64(unix.ENOENT) || exe != missing || args != "one two" {
		t.Errorf("failed execve res %d exe %q args %q, want %d %q %q", ev.Res, exe, args, -int64(unix.ENOENT), missing, "one two")
	}
	if ev.Proc.Exe != "" || len(ev.Proc.Args) > 0 {
		t.Errorf("failed execve changed the process: exe %q args %q", ev.Proc.Exe, ev.Proc.Args)
	}
}

// TestCaptureUpperLayer execs a binary from an overlayfs's upper layer and
// one from its lower layer.
func TestCaptureUpperLayer(t *testing.T) {
	testutil.RequireRoot(t)
	merged := overlay(t)
	for _, m := range []mode{buffers[0], buffers[2]} {
		t.Run(m.name, func(t *testing.T) {
			p := load(t, m, event.TypeExecve)
			for _, c := range []struct {
				name  string
				upper bool
			}{{"upper-true", true}, {"lower-true", false}} {
				cmd := exec.Command(filepath.Join(merged, c.name))
				if err := cmd.Run(); err != nil {
					t.Fatalf("run %s: %v", c.name, err)
				}
				pid := uint32(cmd.Process.Pid)
				ev := await(t, p, "execve", func(ev event.Event) bool { return ev.Type == event.TypeExecve && ev.Proc.PID == pid })
				if ev.Proc.ExeUpperLayer != c.upper || ev.Proc.ExeLowerLayer == c.upper {
					t.Errorf("%s: exe upper layer %v lower %v, want %v %v (exepath %s)", c.name, ev.Proc.ExeUpperLayer,
						ev.Proc.ExeLowerLayer, c.upper, !c.upper, ev.Proc.ExePath)
				}
			}
		})
	}
}

// overlay mounts an overlayfs (on a private tmpfs) whose upper layer holds
// upper-true and lower layer lower-true, both copies of /bin/true, and
// returns the merged directory.
func overlay(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	if err := unix.Mount("tmpfs", root, "tmpfs", 0, ""); err != nil {
		testutil.SkipOrFail(t, fmt.Sprintf("mount tmpfs: %v", err))
	}
	t.Cleanup(func() { unix.Unmount(root, unix.MNT_DETACH) })
	dirs := map[string]string{}
	for _, d := range []string{"lower", "upper", "work", "merged"} {
		dirs[d] = filepath.Join(root, d)
		if err := os.Mkdir(dirs[d], 0o755); err != nil {
			t.Fatal(err)
		}
	}
	bin, err := os.ReadFile("/bin/true")
	if err != nil {
		t.Fatal(err)
	}
	for name, dir := range map[string]string{"upper-true": dirs["upper"], "lower-true": dirs["lower"]} {
		if err := os.WriteFile(filepath.Join(dir, name), bin, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	opts := "lowerdir=" + dirs["lower"] + ",upperdir=" + dirs["upper"] + ",workdir=" + dirs["work"]
	if err := unix.Mount("overlay", dirs["merged"], "overlay", 0, opts); err != nil {
		if errors.Is(err, unix.ENODEV) {
			testutil.SkipOrFail(t, "overlayfs is not available")
		}
		t.Fatalf("mount overlay: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(dirs["merged"], unix.MNT_DETACH) })
	return dirs["merged"]
}
