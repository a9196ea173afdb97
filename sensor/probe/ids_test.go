package probe

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/probe/bytecode"
)

// idsModes are the loads whose namespaces and cgroup ids are checked
// across moves: both variants cache them per CPU (cached_ids in
// c/task.h), the fast one per-syscall and raw, each with setns and unshare
// captured (the capture program bumps the generation itself) and not (the
// bump program alone).
var idsModes = []struct {
	name    string
	variant bytecode.Variant
	attach  Attach
	types   []event.Type
}{
	{"fast", bytecode.Fast, AttachAuto, []event.Type{event.TypeOpenat}},
	{"fast/setns-captured", bytecode.Fast, AttachAuto, []event.Type{event.TypeOpenat, event.TypeSetns, event.TypeUnshare}},
	{"fast/raw", bytecode.Fast, AttachRaw, []event.Type{event.TypeOpenat}},
	{"fast/raw/setns-captured", bytecode.Fast, AttachRaw, []event.Type{event.TypeOpenat, event.TypeSetns, event.TypeUnshare}},
	{"portable", bytecode.Portable, AttachAuto, []event.Type{event.TypeOpenat}},
	{"portable/setns-captured", bytecode.Portable, AttachAuto, []event.Type{event.TypeOpenat, event.TypeSetns, event.TypeUnshare}},
}

func loadIDs(t *testing.T, variant bytecode.Variant, attach Attach, types []event.Type) *Probe {
	t.Helper()
	if variant == bytecode.Fast {
		if err := canFast(); err != nil {
			t.Skipf("fast variant: %v", err)
		}
	}
	p := loadWith(t, Options{Types: types, Variant: variant, Attach: attach})
	if nsBumpPrograms() == nil {
		// no program may run at switch_task_namespaces here (no kprobes,
		// and fentry absent or forbidden): the exits of setns and unshare
		// alone follow nsproxy switches (syscallBumps), with the raw
		// program's bumps at 32-bit ones; the per-syscall programs do not
		// see those, and then nothing is cached (compatUnseen)
		if p.Attach() != AttachRaw && compatUnseen() {
			if p.IDsCache() != "off" || cacheIDs(t, p) {
				t.Fatalf("per-syscall programs, 32-bit syscalls unseen and no program at %s: want no cache, got IDsCache %q", nsSwitchFunc, p.IDsCache())
			}
			t.Logf("no program may run at %s here and 32-bit syscalls are unseen: nothing is cached", nsSwitchFunc)
			return p
		}
		if p.coll.Programs[idsBumpProgram] == nil || !cacheIDs(t, p) || p.IDsCache() != "tracepoints" {
			t.Fatalf("no program may run at %s: want the cache on the syscall exits alone, got IDsCache %q", nsSwitchFunc, p.IDsCache())
		}
		t.Logf("no program may run at %s here: the cache follows the exits of setns and unshare alone", nsSwitchFunc)
		return p
	}
	caching := p.coll.Programs[idsBumpProgram] != nil && p.nsBump != ""
	if !caching || !cacheIDs(t, p) || p.IDsCache() == "off" || p.IDsCache() == "tracepoints" {
		t.Fatalf("the probe loaded without its bump programs (IDsCache %q)", p.IDsCache())
	}
	return p
}

// cacheIDs is the probe's cache_ids setting.
func cacheIDs(t *testing.T, p *Probe) bool {
	t.Helper()
	var on bool
	if err := p.coll.Variables["cache_ids"].Get(&on); err != nil {
		t.Fatal(err)
	}
	return on
}

// nsStep is one open by the namespace-switching thread and the namespaces
// it was in.
type nsStep struct {
	path         string
	tid          uint32
	mntns, netns uint32
	what         string
}

// TestNamespaceMoves: a thread that unshares its mount and network
// namespaces, then setns's between the old and new ones several times in a
// row (so that a freed nsproxy's address is likely reused by the next),
// reports the namespaces it is in at each open, as /proc/thread-self/ns
// says.
func TestNamespaceMoves(t *testing.T) {
	for _, m := range idsModes {
		t.Run(m.name, func(t *testing.T) {
			p := loadIDs(t, m.variant, m.attach, m.types)
			// A run whose open was lost to drops (a loaded machine floods
			// the ring with other processes' opens) is run again, until
			// testutil.Patience has passed.
			deadline := time.Now().Add(testutil.Patience)
			for attempt := 1; ; attempt++ {
				drops0 := totalDrops(t, p)
				steps, err := switchNamespaces(t.TempDir())
				if err != nil {
					t.Fatal(err)
				}
				if checkNSSteps(t, p, steps, time.Now(), drops0) {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("an open was lost to ring drops in each of %d runs", attempt)
				}
				t.Logf("run %d: an open was lost to ring drops; running again", attempt)
			}
		})
	}
}

// checkNSSteps checks each step's open reports the step's namespaces; it
// returns false when one was lost to drops.
func checkNSSteps(t *testing.T, p *Probe, steps []nsStep, done time.Time, drops0 uint64) bool {
	t.Helper()
	for _, s := range steps {
		ev, ok := awaitOrLost(t, p, "openat "+s.what, done, drops0, func(ev event.Event) bool {
			name, _ := ev.Args.String("name")
			return ev.Type == event.TypeOpenat && ev.Proc.TID == s.tid && name == s.path
		})
		if !ok {
			return false
		}
		if ev.Proc.MntNS != s.mntns || ev.Proc.NetNS != s.netns {
			t.Errorf("%s: mntns %d netns %d, want %d %d", s.what, ev.Proc.MntNS, ev.Proc.NetNS, s.mntns, s.netns)
		}
	}
	return true
}

// onNewThread runs f on a locked OS thread, which then ends with its
// goroutine (f may leave it in other namespaces).
func onNewThread(f func() ([]nsStep, error)) ([]nsStep, error) {
	type result struct {
		steps []nsStep
		err   error
	}
	done := make(chan result)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
		steps, err := f()
		done <- result{steps, err}
	}()
	r := <-done
	return r.steps, r.err
}

// switchNamespaces runs the moves of TestNamespaceMoves on a thread of
// their own.
func switchNamespaces(dir string) ([]nsStep, error) {
	return onNewThread(func() ([]nsStep, error) { return nsMoves(dir) })
}

// nsRecorder records steps: at each, a file opened in dir by thread tid,
// with the mount and network namespaces the thread is in then.
type nsRecorder struct {
	dir   string
	tid   uint32
	steps []nsStep
}

func (r *nsRecorder) open(what string) error {
	mnt, err := nsIno("mnt")
	if err != nil {
		return err
	}
	net, err := nsIno("net")
	if err != nil {
		return err
	}
	path := filepath.Join(r.dir, fmt.Sprintf("step-%d", len(r.steps)))
	fd, err := unix.Open(path, unix.O_CREAT|unix.O_WRONLY|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	unix.Close(fd)
	r.steps = append(r.steps, nsStep{path: path, tid: r.tid, mntns: mnt, netns: net, what: what})
	return nil
}

func nsMoves(dir string) ([]nsStep, error) {
	rec := &nsRecorder{dir: dir, tid: uint32(unix.Gettid())}
	if err := pinCPU(); err != nil {
		return nil, err
	}
	open := rec.open
	nsFD := func(kind string) (int, error) {
		return unix.Open("/proc/thread-self/ns/"+kind, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	}
	if err := open("before"); err != nil {
		return nil, err
	}
	var fds [2][2]int // [mnt, net][old, new]
	for k, kind := range []string{"mnt", "net"} {
		fd, err := nsFD(kind)
		if err != nil {
			return nil, err
		}
		defer unix.Close(fd)
		fds[k][0] = fd
	}
	for k, flag := range []int{unix.CLONE_NEWNS, unix.CLONE_NEWNET} {
		if err := unix.Unshare(flag); err != nil {
			return nil, fmt.Errorf("unshare %#x: %w", flag, err)
		}
		if err := open(fmt.Sprintf("after unshare %#x", flag)); err != nil {
			return nil, err
		}
		fd, err := nsFD([]string{"mnt", "net"}[k])
		if err != nil {
			return nil, err
		}
		defer unix.Close(fd)
		fds[k][1] = fd
	}
	// two setns in a row before each open (mount, then network): the
	// second one's nsproxy may take the address of the one before the
	// first, freed by it, with other namespaces
	for i, to := range [][2]int{{0, 0}, {1, 1}, {0, 0}, {1, 0}, {0, 1}, {1, 1}, {0, 0}, {1, 1}} {
		for k, flag := range []int{unix.CLONE_NEWNS, unix.CLONE_NEWNET} {
			if err := unix.Setns(fds[k][to[k]], flag); err != nil {
				return nil, fmt.Errorf("setns %d %#x: %w", i, flag, err)
			}
		}
		if err := open(fmt.Sprintf("after setns %d to %v", i, to)); err != nil {
			return nil, err
		}
	}
	return rec.steps, nil
}

func nsIno(kind string) (uint32, error) {
	var st unix.Stat_t
	if err := unix.Stat("/proc/thread-self/ns/"+kind, &st); err != nil {
		return 0, err
	}
	return uint32(st.Ino), nil
}

// TestCgroupMoves: a process moved between cgroups by another process
// (this one writing its pid to cgroup.procs) reports the cgroup it is in
// at each open, in the unified hierarchy and, on a hybrid host, in the
// memory controller's v1 hierarchy (with the unified one at its root).
// Fresh cgroups, each left behind empty, free css_sets whose addresses
// later ones may take.
func TestCgroupMoves(t *testing.T) {
	roots := newCgroupFS().roots
	if roots[false] == "" {
		t.Skip("no unified (v2) cgroup hierarchy mounted")
	}
	for _, m := range idsModes {
		t.Run(m.name, func(t *testing.T) {
			p := loadIDs(t, m.variant, m.attach, m.types)
			for _, v1 := range []bool{false, true} {
				if roots[v1] == "" {
					continue
				}
				moveCgroups(t, p, roots, v1)
			}
		})
	}
}

func moveCgroups(t *testing.T, p *Probe, roots map[bool]string, v1 bool) {
	t.Helper()
	root := roots[v1]
	parent, err := os.MkdirTemp(root, "probehub-ids-")
	if err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(t.TempDir(), "open")
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"=lines:"+marker)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var dirs []string
	defer func() {
		stdin.Close()
		cmd.Wait()
		for _, d := range dirs {
			os.Remove(d)
		}
		os.Remove(parent)
	}()
	pid := cmd.Process.Pid
	// the cgroup.procs files are opened ahead: an open of this process
	// between the helper's opens would replace the helper in the CPU's
	// cache
	procs := map[string]*os.File{}
	defer func() {
		for _, f := range procs {
			f.Close()
		}
	}()
	openProcs := func(dir string) {
		t.Helper()
		f, err := os.OpenFile(filepath.Join(dir, "cgroup.procs"), os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		procs[dir] = f
	}
	move := func(dir string) {
		t.Helper()
		if procs[dir] == nil {
			openProcs(dir)
		}
		if _, err := procs[dir].WriteString(strconv.Itoa(pid)); err != nil {
			t.Fatal(err)
		}
	}
	if v1 {
		move(roots[false]) // the unified root: the memory cgroup counts
		defer move(root)   // so that the cgroups can go
	} else {
		defer move(root)
	}
	lines := bufio.NewScanner(stdout)
	// Each step moves it twice, then it opens: the css_set it leaves on the
	// first move is freed (after an RCU grace period, which the pause
	// covers) and the second move's may take its address. Writer and
	// helper share one CPU, whose cache then holds the helper's last
	// answer, and where the freed address comes back first.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var all unix.CPUSet
	if err := unix.SchedGetaffinity(0, &all); err != nil {
		t.Fatal(err)
	}
	defer unix.SchedSetaffinity(0, &all)
	if err := pinCPU(); err != nil {
		t.Fatal(err)
	}
	steps := [][]int{{0}}
	for n := 1; n < 9; n += 2 {
		steps = append(steps, []int{n, n + 1})
	}
	steps = append(steps, []int{0, -1})
	for n := range 10 {
		d := filepath.Join(parent, fmt.Sprintf("c%d", n))
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, d)
		openProcs(d)
	}
	openProcs(root)
	for i, step := range steps {
		dir := root
		for k, n := range step {
			dir = root
			if n >= 0 {
				dir = dirs[n]
			}
			if k > 0 {
				time.Sleep(50 * time.Millisecond) // not a timing assertion: lets the RCU free happen
			}
			move(dir)
		}
		want, wantID := kernelCgroup(t, pid, roots)
		path := fmt.Sprintf("%s-%d", marker, i)
		var ev event.Event
		// An open lost to drops (a loaded machine floods the ring with
		// other processes' opens) is asked for again, in the same cgroup,
		// until testutil.Patience has passed.
		deadline := time.Now().Add(testutil.Patience)
		for attempt := 1; ; attempt++ {
			drops0 := totalDrops(t, p)
			fmt.Fprintln(stdin, i)
			if !lines.Scan() {
				t.Fatalf("helper ended: %v", lines.Err())
			}
			var ok bool
			ev, ok = awaitOrLost(t, p, "openat in "+dir, time.Now(), drops0, func(ev event.Event) bool {
				name, _ := ev.Args.String("name")
				return ev.Type == event.TypeOpenat && ev.Proc.PID == uint32(pid) && name == path
			})
			if ok {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("move %d: the open was lost to ring drops %d times", i, attempt)
			}
			if attempt == 1 || attempt%20 == 0 {
				t.Logf("move %d: the open was lost to ring drops (attempt %d); asking again", i, attempt)
			}
			time.Sleep(100 * time.Millisecond) // not a timing assertion: spaces the repeats
		}
		if ev.Proc.CgroupID != wantID || ev.Proc.Cgroup != want {
			t.Errorf("v1 %v, move %d to %s: cgroup id %d (%q), want %d (%q)", v1, i, dir, ev.Proc.CgroupID, ev.Proc.Cgroup, wantID, want)
		}
	}
}

// kernelCgroup is the cgroup the probe reports for process pid, from
// /proc/PID/cgroup: the unified one, or the memory controller's v1 one
// where the unified one is the root and a v1 memory hierarchy is mounted;
// its path and its id (the directory's inode).
func kernelCgroup(t *testing.T, pid int, roots map[bool]string) (string, uint64) {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		t.Fatal(err)
	}
	var unified, memory string
	for line := range strings.Lines(string(b)) {
		f := strings.SplitN(strings.TrimSpace(line), ":", 3)
		switch {
		case len(f) != 3:
		case f[0] == "0":
			unified = f[2]
		case hasOption(f[1], "memory"):
			memory = f[2]
		}
	}
	path, v1 := unified, false
	if unified == "/" && roots[true] != "" && memory != "" {
		path, v1 = memory, true
	}
	var st unix.Stat_t
	if err := unix.Stat(filepath.Join(roots[v1], path), &st); err != nil {
		t.Fatal(err)
	}
	return path, st.Ino
}

// pinCPU keeps the calling thread on the first CPU it may run on: a
// CPU's cache holds one task, and a freed object's address comes back
// soonest on the CPU that freed it.
func pinCPU() error {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return err
	}
	for cpu := range 1024 {
		if set.IsSet(cpu) {
			set.Zero()
			set.Set(cpu)
			return unix.SchedSetaffinity(0, &set)
		}
	}
	return nil
}

// openLines is the "lines:PATH" helper.
func openLines(path string) int {
	if err := pinCPU(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		fd, err := unix.Open(path+"-"+in.Text(), unix.O_CREAT|unix.O_WRONLY|unix.O_CLOEXEC, 0o600)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		unix.Close(fd)
		fmt.Println(in.Text())
	}
	return 0
}

// TestIDsBump: the fast variant's generation (ids_gen) moves on setns and
// unshare of a thread, captured or not, and on a process's move to another
// cgroup by another process; a missed bump is what TestNamespaceMoves
// and TestCgroupMoves would show only where a freed address is reused.
func TestIDsBump(t *testing.T) {
	for _, m := range idsModes[:2] {
		t.Run(m.name, func(t *testing.T) {
			p := loadIDs(t, m.variant, m.attach, m.types)
			if p.IDsCache() == "off" {
				if nsBumpPrograms() == nil && p.Attach() != AttachRaw && compatUnseen() {
					return // nothing to bump by design (loadIDs checked why)
				}
				t.Fatalf("nothing is cached: no generation kept")
			}
			gen := func() uint64 {
				t.Helper()
				var g uint64
				if err := p.coll.Variables["ids_gen"].Get(&g); err != nil {
					t.Fatal(err)
				}
				return g
			}
			bumped := func(what string, do func() error) {
				t.Helper()
				before := gen()
				if err := do(); err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				if after := gen(); after <= before {
					t.Errorf("%s: generation %d, then %d", what, before, after)
				}
			}
			done := make(chan struct{})
			go func() {
				defer close(done)
				runtime.LockOSThread() // never unlocked: the thread ends in another namespace
				old, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
				if err != nil {
					t.Error(err)
					return
				}
				defer unix.Close(old)
				bumped("unshare", func() error { return unix.Unshare(unix.CLONE_NEWNET) })
				bumped("setns", func() error { return unix.Setns(old, unix.CLONE_NEWNET) })
			}()
			<-done
			root := newCgroupFS().roots[false]
			if root == "" {
				return
			}
			dir, err := os.MkdirTemp(root, "probehub-ids-")
			if err != nil {
				t.Fatal(err)
			}
			defer os.Remove(dir)
			cmd := exec.Command(os.Args[0])
			cmd.Env = append(os.Environ(), helperEnv+"=lines:"+filepath.Join(t.TempDir(), "x"))
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { stdin.Close(); cmd.Wait() }()
			pid := []byte(strconv.Itoa(cmd.Process.Pid))
			bumped("cgroup move", func() error { return os.WriteFile(filepath.Join(dir, "cgroup.procs"), pid, 0o644) })
			bumped("cgroup move back", func() error { return os.WriteFile(filepath.Join(root, "cgroup.procs"), pid, 0o644) })
		})
	}
}

// TestIDsWithoutSyscalls: a fast probe that hooks no syscall exit caches
// nothing and attaches no bump program (one on a syscall's exit would send
// every syscall through the kernel's tracing path), and its procexit
// events still carry the namespaces.
func TestIDsWithoutSyscalls(t *testing.T) {
	testutil.RequireRoot(t)
	if err := canFast(); err != nil {
		t.Skipf("fast variant: %v", err)
	}
	p := loadWith(t, Options{Types: []event.Type{event.TypeProcexit}, Variant: bytecode.Fast})
	if p.coll.Programs[idsBumpProgram] != nil {
		t.Error("the bump program was loaded for a probe without syscall exits")
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"=opens:0:/")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	pid := uint32(cmd.Process.Pid)
	ev := await(t, p, "procexit", func(ev event.Event) bool { return ev.Type == event.TypeProcexit && ev.Proc.PID == pid })
	mnt, err := nsIno("mnt")
	if err != nil {
		t.Fatal(err)
	}
	net, err := nsIno("net")
	if err != nil {
		t.Fatal(err)
	}
	if ev.Proc.MntNS != mnt || ev.Proc.NetNS != net {
		t.Errorf("procexit mntns %d netns %d, want %d %d", ev.Proc.MntNS, ev.Proc.NetNS, mnt, net)
	}
}
