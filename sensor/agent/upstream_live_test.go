package agent

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/internal/testutil"
)

// upstreamDisabled are the sandbox rules shipped with enabled: false that
// an event-generator action targets: a Falco user switches them on the
// same way (the sensor's --enable).
var upstreamDisabled = []string{
	"Read Shell Configuration File",
	"Create Hidden Files or Directories",
	"Interpreted procs inbound network activity",
	"Interpreted procs outbound network activity",
	"Java Process Class File Download",
}

// upstreamCase is one real action and the upstream rule it must raise.
type upstreamCase struct {
	action string // falcosecurity/event-generator's syscall action, or "extra: …" where it has none
	rule   string
	marker string // a string of the alert's output that only this action produces
	act    func(t *testing.T)
	fields map[string]any // output fields that must have these values
	has    map[string]string
}

// TestLiveUpstreamActions loads the upstream stable, incubating and sandbox
// rules files together, unmodified, into the live sensor and performs the
// host-side actions of Falco's event-generator that target incubating and
// sandbox rules (the stable ones are TestLiveUpstreamRules'), each as the
// generator does it: the same syscalls from a Go process, run under the
// process name the rule keys on (a symlink, as SpawnAsWithSymlink), or the
// same real binary. It asserts each rule fires with its key output fields.
func TestLiveUpstreamActions(t *testing.T) {
	testutil.RequireRoot(t)
	files := upstreamRules(t, "falco_rules.yaml", "falco-incubating_rules.yaml", "falco-sandbox_rules.yaml")
	ls := startLive(t, nil, func(c *Config) {
		c.Rules.Paths = files
		// Falco's default rule_matching (first): each action must raise
		// its own rule, not an earlier one of the three files.
		c.Rules.Enabled = upstreamDisabled
	})
	for _, tc := range upstreamCases(t) {
		t.Run(tc.action+"/"+tc.rule, func(t *testing.T) {
			a := ls.expect(t, ls.def, tc.rule, tc.marker, func() { tc.act(t) })
			t.Logf("%s", a.Output)
			checkFields(t, a, tc.fields, tc.has)
		})
	}
}

// upstreamCases are the actions, in event-generator's order of files.
func upstreamCases(t *testing.T) []upstreamCase {
	tag := fmt.Sprintf("pheg%d", os.Getpid())
	tmp := t.TempDir()
	self := commOf(os.Args[0])
	for _, tool := range []string{"nmap", "nc", "crontab", "curl", "sudoedit", "pkexec"} {
		testutil.RequireTool(t, tool)
	}
	etc := "/etc/" + tag + "-WriteBelowEtc"
	bin := "/bin/" + tag + "-WriteBelowBinaryDir"
	lib := "/lib/" + tag + "-WriteBelowMonitoredDir"
	root := "/root/" + tag + "-WriteBelowRoot"
	rpm := "/var/lib/rpm/" + tag + "-WriteBelowRpmDatabase"
	binDir := "/bin/" + tag + "-MkdirBinaryDirs"
	binFile := "/bin/" + tag + "-ModifyBinaryDirs"
	binRel := "/bin/" + tag + "-ModifyBinaryDirsRelative"
	dev := "/dev/" + tag + "-CreateFilesBelowDev"
	home := filepath.Join("/home", tag+"-ssh")
	hidden := filepath.Join(tmp, "."+tag+"-hidden")
	shellrc := filepath.Join(tmp, "rc", ".bashrc")
	history := filepath.Join(tmp, "hist", "ash_history")
	suid := filepath.Join(tmp, tag+"-suid")
	lzma := filepath.Join(tmp, "liblzma.so.5.6.1")
	made := []string{etc, bin, lib, root, rpm, binDir, binFile, binFile + ".renamed", dev, home}
	if _, err := os.Stat(filepath.Dir(rpm)); err != nil {
		made = append(made, filepath.Dir(rpm)) // the action makes it, as the generator does
	}
	t.Cleanup(func() {
		for _, p := range made {
			os.RemoveAll(p)
		}
	})
	ssh := func() string {
		d := filepath.Join(home, ".ssh")
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return []upstreamCase{
		{action: "AddingSshKeysToAuthorizedKeys", rule: "Adding ssh keys to authorized_keys", marker: home + "/.ssh/authorized_keys",
			act:    func(t *testing.T) { spawnHelper(t, "", "eg-write", filepath.Join(ssh(), "authorized_keys")) },
			fields: map[string]any{"fd.name": home + "/.ssh/authorized_keys", "proc.name": self}},
		{action: "ChangeThreadNamespace", rule: "Change thread namespace", marker: "process=" + self + " ",
			act:    func(t *testing.T) { spawnHelper(t, "", "eg-setns", "") },
			fields: map[string]any{"evt.type": "setns", "proc.name": self}},
		{action: "CreateFilesBelowDev", rule: "Create files below dev", marker: "file=" + dev + " ",
			act:    func(t *testing.T) { spawnHelper(t, "", "eg-create", dev) },
			fields: map[string]any{"fd.name": dev, "proc.name": self}},
		{action: "CreateHiddenFilesOrDirectories", rule: "Create Hidden Files or Directories", marker: hidden,
			act:    func(t *testing.T) { spawnHelper(t, "", "eg-mkdir", hidden) },
			fields: map[string]any{"evt.type": "mkdirat", "proc.name": self}},
		{action: "DbProgramSpawnedProcess", rule: "DB program spawned process", marker: "parent=mysqld ",
			act:    func(t *testing.T) { spawnHelper(t, "mysqld", "eg-exec-ls", "") },
			fields: map[string]any{"proc.name": "ls", "proc.pname": "mysqld", "proc.cmdline": "ls"}},
		{action: "DeleteOrRenameShellHistory", rule: "Delete or rename shell history", marker: "file=" + history + " ",
			act: func(t *testing.T) {
				mkdirAll(t, filepath.Dir(history))
				spawnHelper(t, "", "eg-write", history)
			},
			fields: map[string]any{"fd.name": history, "evt.type": "openat"}},
		{action: "DetectCryptoMinersUsingTheStratumProtocol", rule: "Detect crypto miners using the Stratum protocol", marker: "-o stratum+tcp -u user",
			act:    func(t *testing.T) { run(t, "echo", "-o stratum+tcp", "-u user", "-p pass") },
			fields: map[string]any{"proc.name": "echo", "proc.cmdline": "echo -o stratum+tcp -u user -p pass"}},
		{action: "InterpretedProcsInboundNetworkActivity", rule: "Interpreted procs inbound network activity", marker: "process=lua ",
			act:    func(t *testing.T) { spawnHelper(t, "lua", "eg-listen", externalIPv4(t)+":0") },
			fields: map[string]any{"proc.name": "lua", "evt.type": "listen", "fd.l4proto": "tcp", "fd.type": "ipv4"}},
		{action: "InterpretedProcsOutboundNetworkActivity", rule: "Interpreted procs outbound network activity", marker: "process=lua ",
			act:    func(t *testing.T) { spawnHelper(t, "lua", "eg-udp-dial", "198.51.100.53:53") },
			fields: map[string]any{"proc.name": "lua", "evt.type": "connect", "fd.rport": float64(53), "fd.l4proto": "udp"}},
		{action: "JavaProcessClassFileDownload", rule: "Java Process Class File Download", marker: "process=java ",
			act:    func(t *testing.T) { spawnHelper(t, "java", "eg-udp-cafebabe", "") },
			fields: map[string]any{"proc.name": "java", "evt.type": "recvfrom", "fd.l4proto": "udp", "fd.sip": "127.0.0.1"}},
		{action: "LaunchSuspiciousNetworkToolOnHost", rule: "Launch Suspicious Network Tool on Host", marker: "process=nmap ",
			act: func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				_ = exec.CommandContext(ctx, "nmap", "-sn", "-n", "127.0.0.1/32").Run()
			},
			fields: map[string]any{"proc.name": "nmap", "proc.cmdline": "nmap -sn -n 127.0.0.1/32"}},
		{action: "MkdirBinaryDirs", rule: "Mkdir binary dirs", marker: "directory=" + binDir + " ",
			act:    func(t *testing.T) { spawnHelper(t, "", "eg-mkdir", binDir) },
			fields: map[string]any{"evt.arg.path": binDir, "proc.name": self}},
		{action: "ModifyBinaryDirs", rule: "Modify binary dirs", marker: "oldpath=" + binFile + " ",
			act: func(t *testing.T) {
				if err := os.WriteFile(binFile, nil, 0o755); err != nil {
					t.Fatal(err)
				}
				spawnHelper(t, "", "eg-rename", binFile)
			},
			// Falco's rendering: the result first, dirfds resolved
			has: map[string]string{"evt.args": "res=0 olddirfd=-100(AT_FDCWD) oldpath=" + binFile +
				" newdirfd=-100(AT_FDCWD) newpath=" + binFile + ".renamed"}},
		// the same with paths relative to the cwd (mv run in /bin): the
		// rule compares evt.arg.oldpath, which Falco makes absolute
		{action: "ModifyBinaryDirs", rule: "Modify binary dirs", marker: "oldpath=" + filepath.Base(binRel) + "(" + binRel + ") ",
			act: func(t *testing.T) {
				if err := os.WriteFile(binRel, nil, 0o755); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { os.Remove(binRel) })
				spawnHelper(t, "", "eg-rename-relative", binRel)
			},
			has: map[string]string{"evt.args": "oldpath=" + filepath.Base(binRel) + "(" + binRel + ")"}},
		{action: "ModifyShellConfigurationFile", rule: "Modify Shell Configuration File", marker: "file=" + shellrc + " ",
			act: func(t *testing.T) {
				mkdirAll(t, filepath.Dir(shellrc))
				spawnHelper(t, "", "eg-write", shellrc)
			},
			fields: map[string]any{"fd.name": shellrc, "proc.name": self}},
		{action: "NonSudoSetuid", rule: "Non sudo setuid", marker: "arg_uid=root evt_type=setuid user=daemon ",
			act:    func(t *testing.T) { spawnHelper(t, "child", "eg-setuid", "") },
			fields: map[string]any{"evt.type": "setuid", "user.name": "daemon", "user.uid": float64(1), "evt.arg.uid": "root"}},
		{action: "PolkitLocalPrivilegeEscalationVulnerabilityCVE20214034", rule: "Polkit Local Privilege Escalation Vulnerability (CVE-2021-4034)", marker: "process=pkexec ",
			act:    func(t *testing.T) { runAs(t, 1, "pkexec") },
			fields: map[string]any{"proc.name": "pkexec", "proc.args": "", "user.name": "daemon"}},
		{action: "PotentialLocalPrivilegeEscalationViaEnvironmentVariablesMisuse", rule: "Potential Local Privilege Escalation via Environment Variables Misuse", marker: "GLIBC_TUNABLES=glibc.tune.hwcaps=-" + tag,
			act: func(t *testing.T) {
				c := exec.Command("sh", "-c", "id")
				c.Env = append(os.Environ(), "GLIBC_TUNABLES=glibc.tune.hwcaps=-"+tag+",glibc.tune.secrets=2")
				_ = c.Run()
			},
			fields: map[string]any{"proc.name": "sh", "proc.cmdline": "sh -c id"}},
		{action: "ProgramRunWithDisallowedHttpProxyEnv", rule: "Program run with disallowed http proxy env", marker: "HTTP_PROXY=http://" + tag,
			act: func(t *testing.T) {
				c := exec.Command("curl", "-s", "-m", "2", "http://127.0.0.1:1/")
				c.Env = append(os.Environ(), "HTTP_PROXY=http://"+tag+".proxy.invalid ")
				_ = c.Run()
			},
			fields: map[string]any{"proc.name": "curl"}},
		{action: "ReadShellConfigurationFile", rule: "Read Shell Configuration File", marker: "file=" + shellrc + " ",
			act: func(t *testing.T) {
				mkdirAll(t, filepath.Dir(shellrc))
				spawnHelper(t, "", "eg-create-read", shellrc)
			},
			fields: map[string]any{"fd.name": shellrc, "proc.name": self}},
		{action: "ReadSshInformation", rule: "Read ssh information", marker: "file=" + home + "/.ssh/known_hosts ",
			act:    func(t *testing.T) { spawnHelper(t, "", "eg-create", filepath.Join(ssh(), "known_hosts")) },
			fields: map[string]any{"fd.name": home + "/.ssh/known_hosts", "proc.name": self}},
		{action: "ScheduleCronJobs", rule: "Schedule Cron Jobs", marker: "process=crontab ",
			act:    func(t *testing.T) { _ = exec.Command("crontab", "-l").Run() },
			fields: map[string]any{"proc.name": "crontab", "proc.cmdline": "crontab -l", "evt.type": "execve"}},
		{action: "SetSetuidOrSetgidBit", rule: "Set Setuid or Setgid bit", marker: "filename=" + suid + " ",
			act: func(t *testing.T) {
				if err := os.WriteFile(suid, nil, 0o600); err != nil {
					t.Fatal(err)
				}
				run(t, "chmod", "u+s", suid)
			},
			fields: map[string]any{"proc.name": "chmod", "evt.arg.filename": suid},
			has:    map[string]string{"evt.arg.mode": "S_ISUID"}},
		{action: "SudoPotentialPrivilegeEscalation", rule: "Sudo Potential Privilege Escalation", marker: "process=sudoedit ",
			act:    func(t *testing.T) { runAs(t, 1, "sudoedit", "-u", "daemon", "-s", `ls\`) },
			fields: map[string]any{"proc.name": "sudoedit", "user.name": "daemon", "proc.cmdline": `sudoedit -u daemon -s ls\`}},
		{action: "SystemProcsNetworkActivity", rule: "System procs network activity", marker: "process=sha1sum ",
			act:    func(t *testing.T) { spawnHelper(t, "sha1sum", "eg-udp-dial", "10.2.3.4:8192") },
			fields: map[string]any{"proc.name": "sha1sum", "fd.rport": float64(8192), "fd.l4proto": "udp", "evt.type": "connect"}},
		{action: "UnexpectedUDPTraffic", rule: "Unexpected UDP Traffic", marker: "->198.51.100.22:22 ",
			act: func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				// example.com in the generator: no DNS here, so an address.
				_ = exec.CommandContext(ctx, "nc", "-u", "-w1", "198.51.100.22", "22").Run()
			},
			fields: map[string]any{"proc.name": "nc", "fd.rport": float64(22), "fd.l4proto": "udp"}},
		{action: "UnprivilegedDelegationOfPageFaultsHandlingToAUserspaceProcess", rule: "Unprivileged Delegation of Page Faults Handling to a Userspace Process", marker: "process=child ",
			act:    func(t *testing.T) { spawnHelper(t, "child", "eg-userfaultfd", "") },
			fields: map[string]any{"evt.type": "userfaultfd", "user.uid": float64(1), "user.name": "daemon"}},
		{action: "UpdatePackageRepository", rule: "Update Package Repository", marker: "file=/etc/apt/sources.list pcmdline=",
			act:    func(t *testing.T) { spawnHelper(t, "", "eg-sources-list", "/etc/apt/sources.list") },
			fields: map[string]any{"fd.name": "/etc/apt/sources.list", "proc.name": self}},
		{action: "UserMgmtBinaries", rule: "User mgmt binaries", marker: "process=vipw ",
			act:    func(t *testing.T) { spawnHelper(t, "vipw", "eg-exec-ls", "") },
			fields: map[string]any{"proc.name": "vipw", "proc.pname": self}},
		{action: "WriteBelowBinaryDir", rule: "Write below binary dir", marker: "file=" + bin + " ",
			act:    func(t *testing.T) { spawnHelper(t, "", "eg-create", bin) },
			fields: map[string]any{"fd.name": bin, "proc.name": self}},
		{action: "WriteBelowEtc", rule: "Write below etc", marker: "file=" + etc + " ",
			act:    func(t *testing.T) { spawnHelper(t, "", "eg-create", etc) },
			fields: map[string]any{"fd.name": etc, "proc.name": self, "evt.type": "openat"}},
		{action: "WriteBelowMonitoredDir", rule: "Write below monitored dir", marker: "file=" + lib + " ",
			act:    func(t *testing.T) { spawnHelper(t, "", "eg-create", lib) },
			fields: map[string]any{"fd.name": lib, "proc.name": self}},
		{action: "WriteBelowRoot", rule: "Write below root", marker: "file=" + root + " ",
			act:    func(t *testing.T) { spawnHelper(t, "", "eg-create", root) },
			fields: map[string]any{"fd.name": root, "proc.name": self}},
		{action: "WriteBelowRpmDatabase", rule: "Write below rpm database", marker: "file=" + rpm + " ",
			act: func(t *testing.T) {
				mkdirAll(t, filepath.Dir(rpm))
				spawnHelper(t, "", "eg-create", rpm)
			},
			fields: map[string]any{"fd.name": rpm, "proc.name": self}},
		// Upstream rules no event-generator action covers.
		{action: "extra:BPFProgLoad", rule: "BPF Program Not Profiled", marker: "process=" + self + " ",
			act:    func(t *testing.T) { spawnHelper(t, "", "eg-bpf-prog-load", "") },
			fields: map[string]any{"evt.type": "bpf", "evt.arg.cmd": "BPF_PROG_LOAD", "proc.name": self}},
		{action: "extra:SSHDOpensBackdooredLiblzma", rule: "Backdoored library loaded into SSHD (CVE-2024-3094)", marker: "file=" + lzma + " ",
			act: func(t *testing.T) {
				if err := os.WriteFile(lzma, nil, 0o644); err != nil {
					t.Fatal(err)
				}
				spawnHelper(t, "sshd", "eg-read", lzma)
			},
			fields: map[string]any{"proc.name": "sshd", "fd.name": lzma}},
		{action: "extra:KnownMinerName", rule: "Known Cryptominer Process Executed", marker: "process=xmrig ",
			act: func(t *testing.T) {
				l := filepath.Join(t.TempDir(), "xmrig")
				if err := os.Symlink("/bin/true", l); err != nil {
					t.Fatal(err)
				}
				run(t, l)
			},
			fields: map[string]any{"proc.name": "xmrig", "proc.exepath": "/usr/bin/true"}},
		{action: "extra:WebServerRunsWhoami", rule: "Web Server Spawned Suspicious Child Process", marker: "web_server=httpd ",
			act:    func(t *testing.T) { spawnHelper(t, "httpd", "eg-exec", "whoami") },
			fields: map[string]any{"proc.name": "whoami", "proc.pname": "httpd", "proc.cmdline": "whoami"}},
	}
}

// commOf is the kernel's comm of a program run by path: its base name cut
// to 15 bytes.
func commOf(path string) string {
	b := filepath.Base(path)
	if len(b) > 15 {
		b = b[:15]
	}
	return b
}

func mkdirAll(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

// spawnHelper runs upstreamHelperAction(action) in a child process: the test
// binary itself, exec'd through a symlink called name when name is set (the
// process name a rule keys on, as event-generator's SpawnAsWithSymlink). arg
// reaches the action in PROBEHUB_ARG and, so alerts show it, on the command
// line.
func spawnHelper(t *testing.T, name, action, arg string) {
	t.Helper()
	spawnHelperIn(t, nil, name, action, arg)
}

// spawnHelperIn is spawnHelper with the child's attributes (a cgroup, a
// user) set by attr.
func spawnHelperIn(t *testing.T, attr *syscall.SysProcAttr, name, action, arg string) {
	t.Helper()
	exe, err := filepath.Abs(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if name != "" {
		l := filepath.Join(t.TempDir(), name)
		if err := os.Symlink(exe, l); err != nil {
			t.Fatal(err)
		}
		exe = l
	}
	cmd := exec.Command(exe, "-test.run=^TestHelperProcess$", "--", arg)
	cmd.Env = append(os.Environ(), "PROBEHUB_HELPER="+action, "PROBEHUB_ARG="+arg)
	cmd.SysProcAttr = attr
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Logf("helper %s %s: %v: %s", action, arg, err, out)
	}
}

// runAs runs a program as uid (and its group), as event-generator's
// runAsUser; a failure is expected and only logged.
func runAs(t *testing.T, uid uint32, name string, args ...string) {
	t.Helper()
	c := exec.Command(name, args...)
	c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: uid}}
	c.Stdin = nil
	if out, err := c.CombinedOutput(); err != nil {
		t.Logf("%s as uid %d: %v: %s", name, uid, err, bytes.TrimSpace(out))
	}
}

// externalIPv4 is an address of this machine outside 127.0.0.0/8.
func externalIPv4(t *testing.T) string {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return n.IP.String()
		}
	}
	testutil.SkipOrFail(t, "no IPv4 address outside loopback")
	return ""
}

// upstreamHelperAction performs action in the helper process (see
// spawnHelper); it reports whether it knows action.
func upstreamHelperAction(action string) bool {
	arg := os.Getenv("PROBEHUB_ARG")
	var err error
	switch action {
	case "eg-create": // os.CreateTemp's open
		var f *os.File
		if f, err = os.OpenFile(arg, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
			f.Close()
			err = os.Remove(arg)
		}
	case "eg-create-read": // create, then open to read
		if err = os.WriteFile(arg, nil, 0o644); err == nil {
			var f *os.File
			if f, err = os.Open(arg); err == nil {
				f.Close()
			}
		}
	case "eg-read":
		var f *os.File
		if f, err = os.Open(arg); err == nil {
			f.Close()
		}
	case "eg-write": // os.WriteFile: O_WRONLY|O_CREATE|O_TRUNC, then gone
		if err = os.WriteFile(arg, []byte("ssh-rsa AAAA probehub\n"), 0o600); err == nil {
			err = os.Remove(arg)
		}
	case "eg-create-exec": // a new executable file (os.WriteFile with 0755)
		if err = os.WriteFile(arg, nil, 0o755); err == nil {
			err = os.Remove(arg)
		}
	case "eg-open-write": // open for writing, nothing written
		var f *os.File
		if f, err = os.OpenFile(arg, os.O_WRONLY, 0); err == nil {
			f.Close()
		}
	case "eg-mkdir":
		if err = os.Mkdir(arg, 0o755); err == nil {
			err = os.Remove(arg)
		}
	case "eg-rename-relative": // as eg-rename, in the file's directory
		if err = os.Chdir(filepath.Dir(arg)); err == nil {
			b := filepath.Base(arg)
			if err = os.Rename(b, b+".renamed"); err == nil {
				err = os.Rename(b+".renamed", b)
			}
		}
	case "eg-rename":
		if err = os.Rename(arg, arg+".renamed"); err == nil {
			err = os.Rename(arg+".renamed", arg)
		}
	case "eg-sources-list": // open for writing; created (and removed) when absent
		if _, serr := os.Stat(arg); serr != nil {
			var f *os.File
			if f, err = os.OpenFile(arg, os.O_WRONLY|os.O_CREATE, 0o644); err == nil {
				f.Close()
				err = os.Remove(arg)
			}
		} else {
			var f *os.File
			if f, err = os.OpenFile(arg, os.O_WRONLY, 0); err == nil {
				f.Close()
			}
		}
	case "eg-setns":
		_ = unix.Setns(0, 0) // fails: the attempt is what the rule sees
	case "eg-setuid": // become daemon on this thread, then try root again
		runtime.LockOSThread()
		if _, _, e := unix.RawSyscall(unix.SYS_SETUID, 1, 0, 0); e != 0 {
			err = e
			break
		}
		_, _, _ = unix.RawSyscall(unix.SYS_SETUID, 0, 0, 0)
	case "eg-userfaultfd":
		runtime.LockOSThread()
		if _, _, e := unix.RawSyscall(unix.SYS_SETUID, 1, 0, 0); e != 0 {
			err = e
			break
		}
		_, _, _ = unix.Syscall(unix.SYS_USERFAULTFD, 0, 0, 0)
	case "eg-udp-dial":
		var c net.Conn
		if c, err = net.Dial("udp", arg); err == nil {
			c.Close()
		}
	case "eg-listen":
		var l net.Listener
		if l, err = net.Listen("tcp", arg); err == nil {
			l.Close()
		}
	case "eg-udp-cafebabe":
		err = udpCafebabe()
	case "eg-exec-ls":
		err = exec.Command("/bin/ls").Run()
	case "eg-exec":
		err = exec.Command(arg).Run()
	case "eg-bpf-prog-load":
		err = loadSocketFilter()
	default:
		return false
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s %s: %v\n", action, arg, err)
		os.Exit(9)
	}
	return true
}

// udpCafebabe sends the Java class magic over UDP on 127.0.0.1 and receives
// it (recvfrom), as event-generator's CombinedServerClient.
func udpCafebabe() error {
	srv, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return err
	}
	defer srv.Close()
	cl, err := net.DialUDP("udp4", nil, srv.LocalAddr().(*net.UDPAddr))
	if err != nil {
		return err
	}
	defer cl.Close()
	if _, err := cl.Write([]byte{0xca, 0xfe, 0xba, 0xbe}); err != nil {
		return err
	}
	if err := srv.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		return err
	}
	_, _, err = srv.ReadFromUDP(make([]byte, 64))
	return err
}

// loadSocketFilter loads the smallest program there is (BPF_PROG_LOAD).
func loadSocketFilter() error {
	p, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Type:         ebpf.SocketFilter,
		License:      "GPL",
		Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, 0), asm.Return()},
	})
	if err != nil {
		return err
	}
	return p.Close()
}

// upstreamContainerDisabled are the sandbox container rules shipped
// disabled that an event-generator action targets.
var upstreamContainerDisabled = []string{
	"Container Drift Detected (chmod)",
	"Container Drift Detected (open+create)",
	"Modify Container Entrypoint",
}

// TestLiveUpstreamContainerActions performs event-generator's
// container-only actions that target incubating and sandbox rules inside
// a cgroup laid out as containerd lays out a privileged pod's container
// (the harness of TestLiveContainerRouting; its runtime metadata is a
// fixture), with the three upstream files loaded together.
func TestLiveUpstreamContainerActions(t *testing.T) {
	testutil.RequireRoot(t)
	files := upstreamRules(t, "falco_rules.yaml", "falco-incubating_rules.yaml", "falco-sandbox_rules.yaml")
	for _, tool := range []string{"nmap", "nc", "wget", "apt-get", "unshare", "mount", "base64"} {
		testutil.RequireTool(t, tool)
	}
	const id = "e9e9e90123456789abcdef0123456789abcdef0123456789abcdef0123456789"
	const plain = "e8e8e80123456789abcdef0123456789abcdef0123456789abcdef0123456789" // not privileged
	meta := pods{id: {Name: "tools", PodName: "tools-0", Namespace: "tenant-a", Image: "docker.io/library/debian:12",
		ImageRepo: "docker.io/library/debian", ImageTag: "12", Privileged: true},
		plain: {Name: "app", PodName: "app-0", Namespace: "tenant-a", Image: "docker.io/library/debian:12",
			ImageRepo: "docker.io/library/debian", ImageTag: "12"}}
	ls := startLive(t, meta, func(c *Config) {
		c.Rules.Paths = files
		c.Rules.Enabled = upstreamContainerDisabled
	})
	cgroupFD, plainFD := containerCgroup(t, id), containerCgroup(t, plain)
	in := func(uid uint32) *syscall.SysProcAttr {
		a := &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: cgroupFD, Cloneflags: unix.CLONE_NEWNS}
		if uid != 0 {
			a.Credential = &syscall.Credential{Uid: uid, Gid: uid}
		}
		return a
	}
	exe := func(uid uint32, name string, args ...string) func(t *testing.T) {
		return func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			c := exec.CommandContext(ctx, name, args...)
			c.SysProcAttr = in(uid)
			if out, err := c.CombinedOutput(); err != nil {
				t.Logf("%s %q in the container: %v: %s", name, args, err, bytes.TrimSpace(out))
			}
		}
	}
	tmp := t.TempDir()
	if err := os.Chmod(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	tool := func(name string) string { // a program by that name (the action runs what the image has)
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\necho 'hello world'\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	kubectl, scp := tool("kubectl"), tool("scp")
	drift := filepath.Join(tmp, "drift")
	chmodded := filepath.Join(tmp, "chmodded")
	if err := os.WriteFile(chmodded, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []upstreamCase{
		{action: "ChangeNamespacePrivilegesViaUnshare", rule: "Change namespace privileges via unshare", marker: "evt_type=unshare ",
			act: func(t *testing.T) {
				exe(0, "unshare")(t) // CAP_SYS_ADMIN permitted: no alert
				exe(1, "unshare")(t)
			},
			fields: map[string]any{"proc.name": "unshare", "evt.type": "unshare", "user.uid": float64(1)}},
		{action: "extra:ContainerStartsWithAllCapabilities", rule: "Launch Excessively Capable Container", marker: "process=true ",
			act: func(t *testing.T) { // the container's first process (vpid 1) as root: every capability
				c := exec.Command("true")
				c.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: plainFD, Cloneflags: unix.CLONE_NEWNS | unix.CLONE_NEWPID}
				if out, err := c.CombinedOutput(); err != nil {
					t.Fatalf("true in the container: %v: %s", err, out)
				}
			},
			fields: map[string]any{"proc.name": "true", "container.id": plain[:12]},
			has:    map[string]string{"thread.cap_permitted": "CAP_SYS_ADMIN"}},
		{action: "ContactEC2InstanceMetadataServiceFromContainer", rule: "Contact EC2 Instance Metadata Service From Container", marker: "->169.254.169.254:80 ",
			act:    exe(0, "nc", "-z", "-w1", "169.254.169.254", "80"),
			fields: map[string]any{"proc.name": "nc", "fd.rport": float64(80), "evt.type": "connect"}},
		{action: "ContainerDriftDetectedChmod", rule: "Container Drift Detected (chmod)", marker: "filename=" + chmodded + " ",
			act:    exe(0, "chmod", "0755", chmodded),
			fields: map[string]any{"proc.name": "chmod", "evt.arg.filename": chmodded}},
		{action: "ContainerDriftDetectedOpenCreate", rule: "Container Drift Detected (open+create)", marker: drift,
			act: func(t *testing.T) {
				os.Remove(drift)
				spawnHelperIn(t, in(0), "", "eg-create-exec", drift)
			},
			fields: map[string]any{"evt.type": "openat"}},
		{action: "DecodingPayloadInContainer", rule: "Decoding Payload in Container", marker: "command=echo ZGVj",
			act:    exe(0, "echo", "ZGVjb2RlZF9ieV9ldmVudC1nZW5lcmF0b3I=", "|", "base64", "-d"),
			fields: map[string]any{"proc.name": "echo"}},
		{action: "KubernetesClientToolLaunchedInContainer", rule: "Kubernetes Client Tool Launched in Container", marker: "process=kubectl ",
			act:    exe(0, kubectl),
			fields: map[string]any{"proc.name": "kubectl", "container.id": id[:12]}},
		{action: "LaunchIngressRemoteFileCopyToolsInContainer", rule: "Launch Ingress Remote File Copy Tools in Container", marker: "process=wget ",
			act:    exe(0, "wget", "-V"),
			fields: map[string]any{"proc.name": "wget", "proc.cmdline": "wget -V"}},
		{action: "LaunchPackageManagementProcessInContainer", rule: "Launch Package Management Process in Container", marker: "process=apt-get ",
			act:    exe(0, "apt-get", "--version"),
			fields: map[string]any{"proc.name": "apt-get", "proc.cmdline": "apt-get --version"}},
		{action: "LaunchRemoteFileCopyToolsInContainer", rule: "Launch Remote File Copy Tools in Container", marker: "process=scp ",
			act:    exe(0, scp),
			fields: map[string]any{"proc.name": "scp"}},
		{action: "LaunchSuspiciousNetworkToolInContainer", rule: "Launch Suspicious Network Tool in Container", marker: "process=nmap ",
			act:    exe(0, "nmap", "-sn", "-n", "127.0.0.1/32"),
			fields: map[string]any{"proc.name": "nmap", "k8s.ns.name": "tenant-a"}},
		{action: "ModifyContainerEntrypoint", rule: "Modify Container Entrypoint", marker: "file=/proc/self/fd/1 ",
			act:    func(t *testing.T) { spawnHelperIn(t, in(0), "", "eg-open-write", "/proc/self/fd/1") },
			fields: map[string]any{"fd.name": "/proc/self/fd/1"}},
		{action: "MountLaunchedInPrivilegedContainer", rule: "Mount Launched in Privileged Container", marker: "process=mount ",
			act:    exe(0, "mount", "-o"),
			fields: map[string]any{"proc.name": "mount", "proc.cmdline": "mount -o"}},
		// cat's own: a -race helper in the container reads its
		// /proc/self/environ too (the race runtime's start), a true alert.
		{action: "ReadEnvironmentVariableFromProcFiles", rule: "Read environment variable from /proc files", marker: "command=cat /proc/self/environ ",
			act:    exe(0, "cat", "/proc/self/environ"),
			fields: map[string]any{"proc.name": "cat", "fd.name": "/proc/self/environ"}},
	}
	for _, tc := range cases {
		t.Run(tc.action+"/"+tc.rule, func(t *testing.T) {
			a := ls.expect(t, ls.tenantA, tc.rule, tc.marker, func() { tc.act(t) })
			t.Logf("%s", a.Output)
			checkFields(t, a, tc.fields, tc.has)
		})
	}
	if a, ok := ls.tenantA.find("Change namespace privileges via unshare", "user=root "); ok {
		t.Errorf("unshare with CAP_SYS_ADMIN permitted raised %q", a.Output)
	}
}

// containerCgroup makes a cgroup laid out as containerd lays out a pod's
// container with the full id and returns an fd of it for
// SysProcAttr.CgroupFD; the cgroups it made go at cleanup.
func containerCgroup(t *testing.T, id string) int {
	t.Helper()
	root := cgroup2Root(t)
	pod := filepath.Join(root, "kubepods.slice/kubepods-besteffort.slice", "kubepods-besteffort-pod"+id[:8]+"_eeee_ffff_0000_111111111111.slice")
	made := filepath.Join(root, "kubepods.slice")
	if _, err := os.Stat(made); err == nil {
		made = pod // someone else's: leave it
	}
	cg := filepath.Join(pod, "cri-containerd-"+id+".scope")
	if err := os.MkdirAll(cg, 0o755); err != nil {
		testutil.SkipOrFail(t, fmt.Sprintf("create cgroup %s: %v", cg, err))
	}
	fd, err := unix.Open(cg, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		unix.Close(fd)
		removeCgroup(made)
	})
	return fd
}

// upstreamRules returns the named files of the upstream rules directory
// in $PROBEHUB_UPSTREAM_RULES (a checkout of falcosecurity/rules' rules/),
// skipping the test when it is not set or a file is missing: the files
// beyond the stable one are not part of the shared data CI has.
func upstreamRules(t *testing.T, names ...string) []string {
	t.Helper()
	dir := os.Getenv("PROBEHUB_UPSTREAM_RULES")
	if dir == "" {
		t.Skip("PROBEHUB_UPSTREAM_RULES is not set (a checkout of falcosecurity/rules' rules/)")
	}
	files := make([]string, 0, len(names))
	for _, name := range names {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err != nil {
			t.Skipf("no upstream rules file: %v", err)
		}
		files = append(files, p)
	}
	return files
}
