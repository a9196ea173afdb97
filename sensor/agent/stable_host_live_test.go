package agent

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/internal/testutil"
)

// hostCase is one real action and the stable rule it must raise, with the
// alert's key output fields.
type hostCase struct {
	desc, rule, marker string
	act                func(t *testing.T)
	fields             map[string]any
}

// TestLiveStableHostRules performs, against the live sensor with the
// upstream stable rules unmodified, the actions an attacker takes on a
// host for each stable rule that can fire outside a container (the rules
// of TestLiveUpstreamRules aside), and asserts the rule fires with its key
// output fields. Every action is a real program (cat, grep, find, shred,
// mke2fs, ln, strace, ssh, login, setpriv) or the test binary making the
// same syscalls, run under the name of the program it stands for (a web
// server, an sshd) as a hard link, so proc.name is that name.
func TestLiveStableHostRules(t *testing.T) {
	for _, tool := range []string{"cat", "grep", "find", "shred", "mke2fs", "mkfs", "ln", "strace", "ssh", "ip", "login", "setpriv", "timeout"} {
		testutil.RequireTool(t, tool)
	}
	dir := t.TempDir()
	pid := os.Getpid()
	httpd := helperAs(t, dir, "httpd")
	// A server that runs before the sensor starts: the sensor knows it
	// from /proc only, its start time included.
	nginx, nginxStart := startHelper(t, helperAs(t, dir, "nginx"), "read-shadow-on-signal"), time.Now()
	ls := startLive(t, nil)
	sshd := helperAs(t, dir, "sshd")
	injector := helperAs(t, dir, "injector")
	// perl run as antidebug: a single-threaded program that traces itself
	// (a Go one would leave its tracer a traced thread to reap).
	antidebug := filepath.Join(dir, "antidebug")
	if err := os.Symlink(testutil.RequireTool(t, "perl"), antidebug); err != nil {
		t.Fatal(err)
	}
	spawntraced := helperAs(t, dir, "spawntraced")
	webapp := helperAs(t, dir, "webapp")
	lighttpd := helperAs(t, dir, "lighttpd")
	postgres := helperAs(t, dir, "postgres")
	// perl run as apache2 is Apache's mod_perl to the kernel: the process
	// name comes from the name exec'd.
	apache2 := filepath.Join(dir, "apache2")
	if err := os.Symlink(testutil.RequireTool(t, "perl"), apache2); err != nil {
		t.Fatal(err)
	}
	// A hard link needs /etc's file system: /var/tmp is where an attacker
	// with a shell writes, and on most hosts the same file system.
	hardlink := fmt.Sprintf("/var/tmp/probehub-hl-%d", pid)
	// /dev/shm is another file system (tmpfs): the link fails, the attempt
	// is what the rule reports.
	shmLink := fmt.Sprintf("/dev/shm/probehub-hl-%d", pid)
	t.Cleanup(func() { os.Remove(hardlink); os.Remove(hardlink + "-sudoers"); os.Remove(shmLink) })

	tests := []hostCase{
		{"read /etc/passwd by ../ from a web root", "Directory traversal monitored file read", "fileraw=/usr/share/../../etc/passwd",
			func(t *testing.T) { run(t, "cat", "/usr/share/../../etc/passwd") },
			map[string]any{"fd.name": "/etc/passwd", "fd.nameraw": "/usr/share/../../etc/passwd", "proc.name": "cat", "evt.type": "openat"}},
		{"read /etc/hostname by ../ relative to the cwd", "Directory traversal monitored file read", "fileraw=../../../etc/hostname",
			func(t *testing.T) { runIn(t, "/usr/share/doc", "cat", "../../../etc/hostname") },
			map[string]any{"fd.name": "/etc/hostname", "fd.nameraw": "../../../etc/hostname", "proc.name": "cat"}},
		{"probe a missing file under /etc by ../", "Directory traversal monitored file read", fmt.Sprintf("probehub-missing-%d", pid),
			func(t *testing.T) { run(t, "cat", fmt.Sprintf("/usr/share/../../etc/probehub-missing-%d", pid)) },
			map[string]any{"fd.name": fmt.Sprintf("/etc/probehub-missing-%d", pid), "proc.name": "cat"}},
		{"probe root's ssh key by ../", "Directory traversal monitored file read", "fileraw=/var/www/../../root/.ssh/id_rsa",
			func(t *testing.T) { run(t, "cat", "/var/www/../../root/.ssh/id_rsa") },
			map[string]any{"fd.name": "/root/.ssh/id_rsa", "proc.name": "cat"}},

		{"a web application opens /etc/../etc/../etc/shadow", "Directory traversal monitored file read", "fileraw=/etc/../etc/../etc/shadow",
			func(t *testing.T) { runHelperAs(t, webapp, "open-traversal") },
			map[string]any{"fd.name": "/etc/shadow", "fd.nameraw": "/etc/../etc/../etc/shadow", "proc.name": "webapp"}},

		{"a web server reads /etc/shadow long after it started", "Read sensitive file trusted after startup", "file=/etc/shadow",
			func(t *testing.T) { runHelperAs(t, httpd, "read-shadow-late") },
			map[string]any{"fd.name": "/etc/shadow", "proc.name": "httpd"}},

		{"a web server reads shadow by a directory fd on /etc (openat(dirfd, \"shadow\"), as fts walkers do)", "Read sensitive file trusted after startup", "process=lighttpd",
			func(t *testing.T) { runHelperAs(t, lighttpd, "read-shadow-late-dirfd") },
			map[string]any{"fd.name": "/etc/shadow", "proc.name": "lighttpd", "evt.type": "openat"}},
		{"a database server reads shadow by a directory fd on /etc that it closes at once, its number then naming /tmp",
			"Read sensitive file trusted after startup", "process=postgres",
			func(t *testing.T) { runHelperAs(t, postgres, "read-shadow-closed-dirfd") },
			map[string]any{"fd.name": "/etc/shadow", "proc.name": "postgres", "evt.type": "openat"}},

		{"a server running before the sensor reads /etc/shadow", "Read sensitive file trusted after startup", "process=nginx",
			func(t *testing.T) {
				time.Sleep(time.Until(nginxStart.Add(6 * time.Second))) // no longer new (proc_is_new: 5 s)
				nginx.Signal(syscall.SIGUSR1)
			},
			map[string]any{"fd.name": "/etc/shadow", "proc.name": "nginx"}},

		{"a web server spawns a shell", "Run shell untrusted", fmt.Sprintf("echo probehub-rsu-%d", pid),
			func(t *testing.T) { runHelperAs(t, httpd, "spawn-shell") },
			map[string]any{"proc.name": "sh", "proc.pname": "httpd", "proc.cmdline": fmt.Sprintf("sh -c echo probehub-rsu-%d", pid)}},
		{"a web server's child spawns a shell", "Run shell untrusted", fmt.Sprintf("echo probehub-rsu2-%d", pid),
			func(t *testing.T) { runHelperAs(t, httpd, "spawn-shell-grandchild") },
			map[string]any{"proc.name": "sh", "proc.pname": "timeout", "proc.aname[2]": "httpd"}},
		{"an apache2 worker (forked, never exec'd) spawns a shell from mod_perl", "Run shell untrusted", fmt.Sprintf("echo probehub-rsu3-%d", pid),
			func(t *testing.T) {
				run(t, apache2, "-e", fmt.Sprintf(`if (fork() == 0) { system("sh", "-c", "echo probehub-rsu3-%d"); exit 0 } wait`, pid))
			},
			map[string]any{"proc.name": "sh", "proc.pname": "apache2", "proc.aname[2]": "apache2", "proc.pexepath": "/usr/bin/perl"}},

		{"a system user runs login", "System user interactive", "user=daemon",
			func(t *testing.T) { runAs(t, 1, "login") },
			map[string]any{"proc.name": "login", "user.name": "daemon", "user.uid": float64(1)}},
		{"www-data runs a command under sshd", "System user interactive", "process=id ",
			func(t *testing.T) { runHelperAs(t, sshd, "www-data-id") },
			map[string]any{"proc.name": "id", "user.name": "www-data", "proc.pname": "sshd"}},

		{"su to nobody under sshd", "System user interactive", "user=nobody",
			func(t *testing.T) { runHelperAs(t, sshd, "su-nobody") },
			map[string]any{"user.name": "nobody", "proc.name": "sh", "proc.pname": "su"}},

		{"grep for private keys", "Search Private Keys or Passwords", "BEGIN RSA PRIVATE",
			func(t *testing.T) { run(t, "grep", "-rl", "BEGIN RSA PRIVATE", dir) },
			map[string]any{"proc.name": "grep"}},
		{"find ssh keys", "Search Private Keys or Passwords", "-name id_ed25519",
			func(t *testing.T) { run(t, "find", dir, "-name", "id_ed25519") },
			map[string]any{"proc.name": "find"}},

		{"shred a file", "Remove Bulk Data from Disk", "process=shred",
			func(t *testing.T) {
				f := filepath.Join(dir, "records.db")
				os.WriteFile(f, []byte("evidence"), 0o600)
				run(t, "shred", "-u", f)
			},
			map[string]any{"proc.name": "shred"}},
		{"make a file system over a disk image", "Remove Bulk Data from Disk", "process=mke2fs",
			func(t *testing.T) { run(t, "mke2fs", "-q", "-F", filepath.Join(dir, "disk.img"), "1024") },
			map[string]any{"proc.name": "mke2fs"}},
		{"mkfs a disk image", "Remove Bulk Data from Disk", "process=mkfs ",
			func(t *testing.T) { run(t, "mkfs", "-t", "ext2", "-q", filepath.Join(dir, "disk2.img"), "1024") },
			map[string]any{"proc.name": "mkfs"}},

		{"hard link /etc/shadow (linkat)", "Create Hardlink Over Sensitive Files", "linkpath=" + hardlink,
			func(t *testing.T) {
				run(t, "ln", "/etc/shadow", hardlink)
				os.Remove(hardlink) // the alert is of the link's making: keep no second name of /etc/shadow
			},
			map[string]any{"evt.arg.oldpath": "/etc/shadow", "evt.arg.newpath": hardlink, "proc.name": "ln", "evt.type": "linkat"}},
		{"hard link /etc/sudoers (link)", "Create Hardlink Over Sensitive Files", "linkpath=" + hardlink + "-sudoers",
			func(t *testing.T) {
				if !haveLinkSyscall {
					t.Skip("this architecture has no link(2), only linkat")
				}
				runHelper(t, "link-sudoers:"+hardlink+"-sudoers")
				os.Remove(hardlink + "-sudoers")
			},
			map[string]any{"evt.arg.oldpath": "/etc/sudoers", "evt.type": "link"}},

		{"hard link /etc/shadow across file systems (EXDEV)", "Create Hardlink Over Sensitive Files", "linkpath=" + shmLink,
			func(t *testing.T) { run(t, "ln", "/etc/shadow", shmLink) },
			map[string]any{"evt.arg.oldpath": "/etc/shadow", "evt.arg.newpath": shmLink, "proc.name": "ln"}},

		{"strace attaches to a running process", "PTRACE attached to process", "process=strace",
			func(t *testing.T) {
				sl := exec.Command("sleep", "3")
				if err := sl.Start(); err != nil {
					t.Fatal(err)
				}
				run(t, "strace", "-o", "/dev/null", "-e", "trace=none", "-p", fmt.Sprint(sl.Process.Pid))
				sl.Wait()
			},
			map[string]any{"proc.name": "strace", "evt.type": "ptrace"}},
		{"an injector attaches and pokes a process", "PTRACE attached to process", "process=injector",
			func(t *testing.T) { runHelperAs(t, injector, "ptrace-inject") },
			map[string]any{"evt.type": "ptrace", "proc.name": "injector"}},

		{"a program traces itself against debuggers", "PTRACE anti-debug attempt", "process=antidebug",
			func(t *testing.T) { traceme(t, antidebug) },
			map[string]any{"evt.type": "ptrace", "proc.name": "antidebug"}},
		{"a forked child asks to be traced before it execs", "PTRACE anti-debug attempt", "process=spawntraced",
			func(t *testing.T) { runHelperAs(t, spawntraced, "spawn-traced") },
			map[string]any{"evt.type": "ptrace", "proc.name": "spawntraced", "proc.pname": "spawntraced"}},

		{"ssh out to port 443 (IPv4, non-blocking connect)", "Disallowed SSH Connection Non Standard Port", "->203.0.113.7:443",
			func(t *testing.T) { runHelperNetns(t, "ssh-443") },
			map[string]any{"proc.name": "ssh", "fd.rport": float64(443), "fd.l4proto": "tcp", "evt.type": "connect", "fd.type": "ipv4"}},
		{"ssh out to port 8443 (IPv6, blocking connect)", "Disallowed SSH Connection Non Standard Port", "->2001:db8::7:8443",
			func(t *testing.T) { runHelperNetns(t, "ssh-8443-v6") },
			map[string]any{"proc.name": "ssh", "fd.rport": float64(8443), "fd.l4proto": "tcp", "fd.type": "ipv6"}},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			a := ls.expect(t, ls.def, tc.rule, tc.marker, func() { tc.act(t) })
			t.Logf("%s: %s", tc.rule, a.Output)
			checkFields(t, a, tc.fields, nil)
		})
	}
}

// helperAs links the test binary into dir under name, so that the helper
// it runs is, to the kernel, a program of that name (proc.name), as
// Falco's event-generator runs its actions as httpd.
func helperAs(t *testing.T, dir, name string) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.Symlink(self, p); err != nil {
		t.Fatal(err)
	}
	return p
}

// runHelperAs runs the helper action through the program at path, with
// env added to the environment.
func runHelperAs(t *testing.T, path, action string, env ...string) {
	t.Helper()
	cmd := exec.Command(path, "-test.run=^TestHelperProcess$")
	cmd.Env = append(append(os.Environ(), env...), "PROBEHUB_HELPER="+action)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Logf("helper %s as %s: %v: %s", action, path, err, out)
	}
}

// startHelper starts the helper action through the program at path once
// it is ready (it prints a line), and kills it when the test ends.
func startHelper(t *testing.T, path, action string) *os.Process {
	t.Helper()
	cmd := exec.Command(path, "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "PROBEHUB_HELPER="+action)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if _, err := bufio.NewReader(out).ReadString('\n'); err != nil {
		t.Fatalf("helper %s: %v", action, err)
	}
	return cmd.Process
}

// runHelperNetns runs the helper action in a network namespace of its own.
func runHelperNetns(t *testing.T, action string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "PROBEHUB_HELPER="+action)
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: unix.CLONE_NEWNET}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Logf("helper %s: %v: %s", action, err, out)
	}
}

func runIn(t *testing.T, dir, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Logf("%s %v in %s: %v: %s", name, args, dir, err, out)
	}
}

// hostHelperAction performs the helper action name of
// TestLiveStableHostRules in this (child) process and reports whether it
// knew name. A failed action exits with a non-zero status.
func hostHelperAction(name string) bool {
	action, arg, _ := strings.Cut(name, ":")
	var err error
	switch action {
	case "open-traversal":
		var f *os.File
		if f, err = os.Open("/etc/../etc/../etc/shadow"); err == nil {
			f.Close()
		}
	case "spawn-traced":
		err = spawnTraced()
	case "read-shadow-late":
		err = readShadowLate()
	case "read-shadow-late-dirfd":
		err = readShadowLateDirfd()
	case "read-shadow-closed-dirfd":
		err = readShadowClosedDirfd()
	case "spawn-shell":
		err = exec.Command("sh", "-c", fmt.Sprintf("echo probehub-rsu-%d", os.Getppid())).Run()
	case "spawn-shell-grandchild":
		err = exec.Command("timeout", "30", "sh", "-c", fmt.Sprintf("echo probehub-rsu2-%d", os.Getppid())).Run()
	case "su-nobody":
		err = exec.Command("su", "-s", "/bin/sh", "-c", "id", "nobody").Run()
	case "read-shadow-on-signal":
		err = readShadowOnSignal()
	case "www-data-id":
		err = exec.Command("setpriv", "--reuid=www-data", "--regid=www-data", "--clear-groups", "id").Run()
	case "link-sudoers":
		err = linkRaw("/etc/sudoers", arg)
	case "ptrace-inject":
		err = ptraceInject()
	case "ssh-443":
		err = sshOut("203.0.113.7", "32", "443", "-o", "ConnectTimeout=20")
	case "ssh-8443-v6":
		err = sshOut("2001:db8::7", "128", "8443")
	default:
		return false
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(7)
	}
	return true
}

// readShadowLate reads /etc/shadow once its process is older than the
// rules' proc_is_new (5 s), as a server does long after startup.
func readShadowLate() error {
	time.Sleep(6 * time.Second)
	_, err := os.ReadFile("/etc/shadow")
	return err
}

// readShadowLateDirfd is readShadowLate by a directory fd: the name the
// syscall gets is "shadow", relative to an open /etc. It holds the
// directory open for a second after, as a walker does while it reads the
// directory's files: the sensor finds the dirfd's path in /proc while the
// process holds it (a dirfd closed before the sensor reads the event
// leaves fd.name as the syscall received it).
func readShadowLateDirfd() error {
	time.Sleep(6 * time.Second)
	dirfd, err := unix.Open("/etc", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(dirfd)
	fd, err := unix.Openat(dirfd, "shadow", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	time.Sleep(time.Second)
	return unix.Close(fd)
}

// readShadowClosedDirfd is readShadowLateDirfd with the directory fd
// closed right after the openat and its number reused for /tmp: by the
// time the sensor reads the openat, /proc has no /etc behind the dirfd
// (or names /tmp), so only the fd names the process table took from the
// events, in their order, give /etc/shadow.
func readShadowClosedDirfd() error {
	time.Sleep(6 * time.Second)
	dirfd, err := unix.Open("/etc", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	fd, err := unix.Openat(dirfd, "shadow", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		unix.Close(dirfd)
		return err
	}
	if err := unix.Close(dirfd); err != nil {
		return err
	}
	tmp, err := unix.Open("/tmp", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	if tmp != dirfd {
		return fmt.Errorf("/tmp opened as fd %d, not the closed dirfd %d", tmp, dirfd)
	}
	time.Sleep(time.Second)
	unix.Close(tmp)
	return unix.Close(fd)
}

// readShadowOnSignal reads /etc/shadow at each SIGUSR1, until killed or,
// should the test die without killing it, for at most 10 minutes.
func readShadowOnSignal() error {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGUSR1)
	fmt.Println("ready")
	end := time.After(10 * time.Minute)
	for {
		select {
		case <-sig:
			if _, err := os.ReadFile("/etc/shadow"); err != nil {
				return err
			}
		case <-end:
			return nil
		}
	}
}

// ptraceInject attaches to a child as a code injector does: attach, read
// its registers, read a word at its instruction pointer and write it back,
// then detach.
func ptraceInject() error {
	runtime.LockOSThread()
	victim := exec.Command("sleep", "30")
	if err := victim.Start(); err != nil {
		return err
	}
	defer victim.Process.Kill()
	pid := victim.Process.Pid
	if err := unix.PtraceAttach(pid); err != nil {
		return fmt.Errorf("attach: %w", err)
	}
	var ws unix.WaitStatus
	if _, err := unix.Wait4(pid, &ws, 0, nil); err != nil {
		return err
	}
	var regs unix.PtraceRegs
	if err := unix.PtraceGetRegs(pid, &regs); err != nil {
		return fmt.Errorf("getregs: %w", err)
	}
	word := make([]byte, 8)
	if _, err := unix.PtracePeekText(pid, uintptr(regs.PC()), word); err != nil {
		return fmt.Errorf("peektext: %w", err)
	}
	if _, err := unix.PtracePokeText(pid, uintptr(regs.PC()), word); err != nil {
		return fmt.Errorf("poketext: %w", err)
	}
	return unix.PtraceDetach(pid)
}

// traceme runs the program at path, a perl, to ask to be traced by its
// parent (PTRACE_TRACEME), the anti-debugging trick: a debugger can then
// no longer attach. This test is the parent, not a debugger: the program
// has no output pipes to hold, and is killed should it stop for a
// signal, as a tracee stops.
func traceme(t *testing.T, path string) {
	t.Helper()
	cmd := exec.Command(path, "-e", "syscall($ARGV[0], 0, 0, 0, 0) == 0 or die", fmt.Sprint(unix.SYS_PTRACE))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	st, err := cmd.Process.Wait()
	if err == nil && !st.Exited() {
		cmd.Process.Kill()
		st, err = cmd.Process.Wait()
	}
	if err != nil || !st.Success() {
		t.Logf("%s: %v %v", path, st, err)
	}
}

// spawnTraced starts a program that its child, between fork and exec,
// asks to be traced (Go's SysProcAttr.Ptrace: PTRACE_TRACEME), as a
// debugger starts a debuggee, then kills it.
func spawnTraced() error {
	runtime.LockOSThread() // the tracer is this thread
	cmd := exec.Command("sleep", "30")
	cmd.SysProcAttr = &syscall.SysProcAttr{Ptrace: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	cmd.Process.Kill()
	cmd.Wait()
	return nil
}

// sshOut runs ssh to addr:port in this process's own network namespace,
// where addr is on the loopback device and a TCP server that closes each
// connection listens on it: the connect succeeds (or is in progress) as
// to a host on the Internet, then ssh gives up.
func sshOut(addr, bits, port string, opts ...string) error {
	add := []string{"addr", "add", addr + "/" + bits, "dev", "lo"}
	if strings.Contains(addr, ":") {
		add = append(add, "nodad") // usable at once, no duplicate detection
	}
	for _, args := range [][]string{{"link", "set", "lo", "up"}, add} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			return fmt.Errorf("ip %v: %w: %s", args, err, out)
		}
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(addr, port))
	if err != nil {
		return err
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	args := append([]string{"-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-F", "/dev/null", "-p", port}, opts...)
	args = append(args, "probehub@"+addr, "true")
	err = exec.Command("ssh", args...).Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) { // ssh fails: the server is no sshd
		return nil
	}
	return err
}
