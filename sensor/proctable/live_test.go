package proctable_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/probe"
	"github.com/probehub/probehub/sensor/proctable"
)

// liveTable feeds a real probe's events to a process table and keeps the
// enriched process of every symlinkat whose link, and every chdir whose
// directory, lies in dir.
type liveTable struct {
	tab *proctable.Table
	dir string

	mu       sync.Mutex
	links    map[string]event.Process // by link path
	clones   int                      // process-creating clone exits of parents
	overtook int                      // ... delivered after the child's execve
	started  map[uint32]int           // child pid → 1 started, 2 exec'd
}

func startLiveTable(t *testing.T, dir string) *liveTable {
	t.Helper()
	testutil.RequireRoot(t)
	ctx, cancel := context.WithCancel(context.Background())
	lt := &liveTable{tab: proctable.New(proctable.Options{}), dir: dir, links: map[string]event.Process{}, started: map[uint32]int{}}
	if _, err := lt.tab.Seed(ctx, "/proc"); err != nil {
		t.Fatal(err)
	}
	p, err := probe.Load(ctx, probe.Options{Types: append(slices.Clone(proctable.Lifecycle), event.TypeSymlinkat)})
	if err != nil {
		cancel()
		testutil.SkipOrFail(t, fmt.Sprintf("load probes: %v", err))
	}
	done := make(chan error, 1)
	go func() { done <- lt.read(ctx, p) }()
	t.Cleanup(func() {
		cancel()
		if st, err := p.Stats(); err == nil && st.TotalDrops() > 0 {
			t.Logf("probe dropped %d events", st.TotalDrops())
		}
		p.Close()
		if err := <-done; err != nil {
			t.Errorf("read: %v", err)
		}
	})
	return lt
}

func (lt *liveTable) read(ctx context.Context, p *probe.Probe) error {
	for {
		ev, err := p.Read(ctx)
		select {
		case <-ctx.Done():
			return nil // stopped
		default:
		}
		if errors.Is(err, os.ErrClosed) {
			return nil // stopped
		}
		if errors.Is(err, probe.ErrMalformed) {
			continue
		}
		if err != nil {
			return err
		}
		lt.count(&ev)
		lt.tab.Observe(&ev)
		var link string
		switch ev.Type {
		case event.TypeSymlinkat:
			link, _ = ev.Args.String("linkpath")
		case event.TypeChdir:
			link, _ = ev.Args.String("path")
		}
		if link == "" || filepath.Dir(link) != lt.dir {
			continue
		}
		lt.tab.Enrich(&ev)
		lt.mu.Lock()
		lt.links[link] = ev.Proc
		lt.mu.Unlock()
	}
}

// count measures how often a parent's clone exit arrives after its child's
// execve.
func (lt *liveTable) count(ev *event.Event) {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	switch ev.Type {
	case event.TypeClone, event.TypeClone3, event.TypeFork, event.TypeVfork:
		if flags, _ := ev.Args.Int64("flags"); flags&0x10000 != 0 {
			return
		}
		if ev.Res == 0 && ev.Proc.PID == ev.Proc.TID {
			lt.started[ev.Proc.PID] = 1
		} else if st, ok := lt.started[uint32(ev.Res)]; ok && ev.Res > 0 {
			lt.clones++
			if st == 2 {
				lt.overtook++
			}
			delete(lt.started, uint32(ev.Res))
		}
	case event.TypeExecve, event.TypeExecveat:
		if lt.started[ev.Proc.PID] == 1 && ev.Res == 0 {
			lt.started[ev.Proc.PID] = 2
		}
	}
}

// wait returns the process of every link in want, failing after
// testutil.Patience.
func (lt *liveTable) wait(t *testing.T, want []string) map[string]event.Process {
	t.Helper()
	deadline := time.Now().Add(testutil.Patience)
	for {
		lt.mu.Lock()
		n := 0
		for _, l := range want {
			if _, ok := lt.links[l]; ok {
				n++
			}
		}
		got := lt.links
		lt.mu.Unlock()
		if n == len(want) {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("saw %d of %d symlinkat events", n, len(want))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestLiveLineage spawns shell chains the way real programs do — Go's
// os/exec (clone with CLONE_VFORK) and glibc's posix_spawn — each running
// sh -c '/bin/sh -c "ln -s …; :"; :' (dash forks the inner sh and the ln
// with vfork), and checks every ln's process, parent and ancestors as the
// live table gives them: on every run, none wrong.
func TestLiveLineage(t *testing.T) {
	const perPath = 100
	cc := testutil.RequireTool(t, "clang")
	dir := t.TempDir()
	spawn := filepath.Join(dir, "spawn")
	if out, err := exec.Command(cc, "-O1", "-o", spawn, filepath.Join("testdata", "spawn.c")).CombinedOutput(); err != nil {
		t.Fatalf("build spawn helper: %v: %s", err, out)
	}
	links := filepath.Join(dir, "links")
	if err := os.Mkdir(links, 0o755); err != nil {
		t.Fatal(err)
	}
	lt := startLiveTable(t, links)
	shell := func(link string) string { return fmt.Sprintf(`/bin/sh -c "ln -s /nonexistent %s; :"; :`, link) }

	var want []string
	for i := range perPath {
		link := filepath.Join(links, fmt.Sprint("go-", i))
		cmd := exec.Command("/bin/sh", "-c", shell(link))
		cmd.Dir = links
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("spawn %d: %v: %s", i, err, out)
		}
		want = append(want, link)
	}
	cmd := exec.Command(spawn, fmt.Sprint(perPath), links, "c")
	cmd.Dir = links
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("posix_spawn helper: %v: %s", err, out)
	}
	for i := range perPath {
		want = append(want, filepath.Join(links, fmt.Sprint("c-", i)))
	}

	got := lt.wait(t, want)
	self, _ := os.Executable()
	wrong := 0
	for _, link := range want {
		p := got[link]
		top, topPath := uint32(os.Getpid()), self
		if strings.HasPrefix(filepath.Base(link), "c-") {
			top, topPath = 0, spawn
		}
		if err := checkChain(p, link, shell(link), top, topPath); err != nil {
			wrong++
			if wrong <= 5 {
				t.Errorf("%s: %v", filepath.Base(link), err)
			}
		}
	}
	lt.mu.Lock()
	t.Logf("%d spawn chains, %d wrong; %d of %d process-creating clone exits came after the child's execve",
		len(want), wrong, lt.overtook, lt.clones)
	lt.mu.Unlock()
	if wrong > 0 {
		t.Errorf("%d of %d chains wrong", wrong, len(want))
	}
}

// checkChain checks the ln process of one chain: its image, its parent
// (the inner sh, with its argv), grandparent (the outer sh) and the
// process that spawned the chain (pid top unless 0, exe path topPath).
func checkChain(p event.Process, link, inner string, top uint32, topPath string) error {
	if p.Comm != "ln" || p.ExePath != "/usr/bin/ln" || !slices.Equal(p.Args, []string{"-s", "/nonexistent", link}) {
		return fmt.Errorf("proc %s exepath %s args %q", p.Comm, p.ExePath, p.Args)
	}
	if p.Cwd != filepath.Dir(link) {
		return fmt.Errorf("cwd %q", p.Cwd)
	}
	if len(p.Ancestors) < 3 {
		return fmt.Errorf("ancestors %+v", p.Ancestors)
	}
	parent, grand, spawner := p.Ancestors[0], p.Ancestors[1], p.Ancestors[2]
	wantArgs := []string{"-c", fmt.Sprintf("ln -s /nonexistent %s; :", link)}
	if parent.Name != "sh" || parent.PID != p.PPID || filepath.Base(parent.ExePath) != "dash" || !slices.Equal(parent.Args, wantArgs) {
		return fmt.Errorf("proc.pname %s (pid %d, ppid %d) exepath %s args %q", parent.Name, parent.PID, p.PPID, parent.ExePath, parent.Args)
	}
	if grand.Name != "sh" || !slices.Equal(grand.Args, []string{"-c", inner}) {
		return fmt.Errorf("proc.aname[2] %s args %q", grand.Name, grand.Args)
	}
	if spawner.ExePath != topPath || (top != 0 && spawner.PID != top) {
		return fmt.Errorf("proc.aname[3] %s pid %d exepath %s, want %s", spawner.Name, spawner.PID, spawner.ExePath, topPath)
	}
	return nil
}

// TestLiveForkedChild: a forked child that never execs (a dash subshell
// that runs the cd builtin) runs its parent's image with its parent's argv
// and environment, in the directory it changed to.
func TestLiveForkedChild(t *testing.T) {
	const runs = 20
	dir := t.TempDir()
	lt := startLiveTable(t, dir)
	var want []string
	for i := range runs {
		sub := filepath.Join(dir, fmt.Sprint("sub-", i))
		if err := os.Mkdir(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		script := fmt.Sprintf("( cd %s && : ); :", sub)
		cmd := exec.Command("/bin/sh", "-c", script)
		cmd.Dir = dir
		// First: the capture keeps the environment's first 4 KiB.
		cmd.Env = append([]string{fmt.Sprint("PROBEHUB_LINEAGE_RUN=", i)}, os.Environ()...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("run %d: %v: %s", i, err, out)
		}
		want = append(want, sub)
	}
	got := lt.wait(t, want)
	for i, sub := range want {
		p := got[sub]
		script := []string{"-c", fmt.Sprintf("( cd %s && : ); :", sub)}
		if p.Comm != "sh" || filepath.Base(p.ExePath) != "dash" || !slices.Equal(p.Args, script) || p.Cwd != sub {
			t.Errorf("subshell %d: comm %s exepath %s args %q cwd %s", i, p.Comm, p.ExePath, p.Args, p.Cwd)
			continue
		}
		if !slices.Contains(p.Env, fmt.Sprint("PROBEHUB_LINEAGE_RUN=", i)) {
			t.Errorf("subshell %d: env lacks its parent's PROBEHUB_LINEAGE_RUN", i)
		}
		if len(p.Ancestors) < 2 || p.Ancestors[0].Name != "sh" || !slices.Equal(p.Ancestors[0].Args, script) ||
			p.Ancestors[1].PID != uint32(os.Getpid()) {
			t.Errorf("subshell %d: ancestors %+v", i, p.Ancestors)
		}
	}
}
