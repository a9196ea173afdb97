// Package containerdtest runs a real, private containerd with its CRI
// plugin for tests: its own root, state, sockets and cgroup parent under a
// temporary directory, pods on the host network (no CNI), and images built
// in the test from a static busybox and imported with ctr. Everything it
// starts or mounts is removed when the test ends, failed or not: pods,
// containerd, its shims and their containers' processes, mounts and
// cgroups.
//
// It needs root, containerd, ctr, runc and a static busybox
// (busybox-static); without them a test skips, or fails in CI
// (internal/testutil).
package containerdtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/probehub/probehub/internal/testutil"
)

// Namespace is the containerd namespace the CRI plugin uses.
const Namespace = "k8s.io"

// PauseImage is the sandbox image the private containerd is configured
// with; Start builds and imports it, so nothing is pulled.
const PauseImage = "probehub.test/pause:1"

// config keeps containerd entirely under dir (%[1]s): root, state, opt,
// sockets, CNI paths, runc's state. The CRI plugin runs pod sandboxes from
// a local image (%[2]s) with runc (%[3]s) and the cgroupfs driver, on the
// snapshotter %[4]s.
//
// restrict_oom_score_adj keeps containers' oom_score_adj no lower than
// containerd's own: the pause container asks for -998, which needs
// CAP_SYS_RESOURCE, and root has no such capability on machines that run
// tests in a restricted sandbox (this project's development VM: runc then
// fails with "can't get final child's PID from pipe: EOF").
const config = `version = 2
root = "%[1]s/root"
state = "%[1]s/state"
[grpc]
  address = "%[1]s/containerd.sock"
[ttrpc]
  address = "%[1]s/containerd.sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "%[1]s/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "%[2]s"
  disable_apparmor = true
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "%[4]s"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "%[3]s"
        Root = "%[1]s/runc"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "%[1]s/cni/bin"
    conf_dir = "%[1]s/cni/conf"
`

// shimSocketDir is where containerd 1.6 has its shims put their sockets,
// whatever its configuration.
const shimSocketDir = "/run/containerd/s"

// Runtime is a running private containerd.
type Runtime struct {
	// Dir holds everything of this containerd; Socket is its gRPC (and
	// CRI) socket, Root its root (the content store is under it).
	Dir, Socket, Root string
	// Snapshotter is the snapshotter images are unpacked with.
	Snapshotter string
	// CgroupParent is the cgroup (in every hierarchy) under which pods'
	// cgroups are created: "/probehub-cri-<random>".
	CgroupParent string
	// RT and Images are CRI clients of Socket.
	RT     runtimeapi.RuntimeServiceClient
	Images runtimeapi.ImageServiceClient

	tb      testing.TB
	ctr     string
	conn    *grpc.ClientConn
	cmd     *exec.Cmd
	exited  chan struct{}
	log     *testutil.SyncBuffer
	mu      sync.Mutex
	stopped bool // SIGSTOPped by Pause
	pods    []string
	mounts  []string
}

// Start runs a private containerd with the CRI plugin and the pause
// image imported, and registers its complete removal with tb.Cleanup.
func Start(tb testing.TB) *Runtime {
	tb.Helper()
	testutil.RequireRoot(tb)
	bin := testutil.RequireTool(tb, "containerd")
	runc := testutil.RequireTool(tb, "runc")
	r := &Runtime{tb: tb, ctr: testutil.RequireTool(tb, "ctr"), log: &testutil.SyncBuffer{}, exited: make(chan struct{})}
	testutil.RequireTool(tb, "containerd-shim-runc-v2")
	if _, err := os.Stat(Busybox); err != nil {
		testutil.SkipOrFail(tb, "static busybox not found at "+Busybox+": run `make setup` (busybox-static)")
	}
	dir, err := os.MkdirTemp("", "ctd") // short: socket paths must fit in 108 bytes
	if err != nil {
		tb.Fatal(err)
	}
	r.Dir, r.Socket, r.Root = dir, filepath.Join(dir, "containerd.sock"), filepath.Join(dir, "root")
	r.CgroupParent = "/probehub-cri-" + randomHex(6)
	r.Snapshotter = snapshotter(dir)
	tb.Cleanup(r.cleanup)

	cfg := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, config, dir, PauseImage, runc, r.Snapshotter), 0o600); err != nil {
		tb.Fatal(err)
	}
	r.cmd = exec.Command(bin, "--config", cfg, "--log-level", "info")
	r.cmd.Stdout, r.cmd.Stderr = r.log, r.log
	if err := r.cmd.Start(); err != nil {
		tb.Fatalf("start containerd: %v", err)
	}
	go func() { _ = r.cmd.Wait(); close(r.exited) }()
	r.conn, err = grpc.NewClient("unix://"+r.Socket, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		tb.Fatal(err)
	}
	r.RT, r.Images = runtimeapi.NewRuntimeServiceClient(r.conn), runtimeapi.NewImageServiceClient(r.conn)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		_, err := r.RT.Status(ctx, &runtimeapi.StatusRequest{})
		if err == nil {
			break
		}
		select {
		case <-r.exited:
			tb.Fatalf("containerd exited at start:\n%s", r.log)
		case <-ctx.Done():
			tb.Fatalf("containerd's CRI did not answer: %v\n%s", err, r.log)
		case <-time.After(50 * time.Millisecond):
		}
	}
	r.Import(ctx, PauseImage, BusyboxImage(tb, []string{"/bin/sleep", "2147483647"}, nil))
	return r
}

// snapshotter picks overlayfs when the kernel has it and dir is not on an
// overlay itself (an overlay's upper layer cannot be one, as in a
// container), else native: plain copies, slower, but it works on any
// filesystem.
func snapshotter(dir string) string {
	fs, err := os.ReadFile("/proc/filesystems")
	if err != nil || !bytes.Contains(fs, []byte("\toverlay\n")) {
		return "native"
	}
	var st syscall.Statfs_t
	if syscall.Statfs(dir, &st) == nil && st.Type == overlayMagic {
		return "native"
	}
	return "overlayfs"
}

// overlayMagic is statfs's f_type of an overlay filesystem.
const overlayMagic = 0x794c7630

// Log is what containerd has logged so far.
func (r *Runtime) Log() string { return r.log.String() }

// Pause stops containerd (SIGSTOP): its socket still accepts connections
// but nothing answers, as a runtime that hangs. Resume undoes it; cleanup
// resumes it anyway.
func (r *Runtime) Pause() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		r.tb.Fatalf("stop containerd: %v", err)
	}
	r.stopped = true
	// The signal is only queued: wait until every thread has stopped, so
	// that no request is answered after Pause returns.
	for deadline := time.Now().Add(10 * time.Second); !allStopped(r.cmd.Process.Pid); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			r.tb.Fatal("containerd did not stop on SIGSTOP")
		}
	}
}

// allStopped reports whether every thread of pid is in state T (stopped).
func allStopped(pid int) bool {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil || len(tasks) == 0 {
		return false
	}
	for _, t := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/stat", pid, t.Name()))
		if err != nil {
			return false
		}
		// pid (comm) STATE …: comm may hold spaces and parentheses.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 || i+2 >= len(b) || b[i+2] != 'T' {
			return false
		}
	}
	return true
}

// Resume continues a paused containerd.
func (r *Runtime) Resume() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		_ = r.cmd.Process.Signal(syscall.SIGCONT)
		r.stopped = false
	}
}

// Kill kills containerd (SIGKILL) and waits for it to exit, as a runtime
// that crashed: its socket file stays, connections are refused. Its shims
// and containers go on running until cleanup.
func (r *Runtime) Kill() {
	r.mu.Lock()
	defer r.mu.Unlock()
	_ = r.cmd.Process.Kill()
	<-r.exited
	r.stopped = false
}

// Pod is what RunPod creates: a pod sandbox on the host network with
// kubelet's labels (io.kubernetes.pod.name, .namespace, .uid) besides
// Labels, and one container in it.
type Pod struct {
	Name, Namespace, UID string
	Labels, Annotations  map[string]string
	Container            Container
}

// Container is the pod's container.
type Container struct {
	Name       string
	Image      string
	Command    []string
	Mounts     []*runtimeapi.Mount
	Privileged bool
}

// Running is a started pod.
type Running struct {
	SandboxID, ContainerID string
	// Cgroup is the container's cgroup path (the same in every
	// hierarchy): CgroupParent/pod<uid>/<container id>.
	Cgroup string
}

// RunPod starts the pod sandbox and its container and waits until the
// container runs. The pod is stopped and removed at cleanup.
func (r *Runtime) RunPod(ctx context.Context, p Pod) Running {
	r.tb.Helper()
	kubelet := map[string]string{
		"io.kubernetes.pod.name":      p.Name,
		"io.kubernetes.pod.namespace": p.Namespace,
		"io.kubernetes.pod.uid":       p.UID,
	}
	sbLabels := merge(p.Labels, kubelet)
	ns := &runtimeapi.NamespaceOption{Network: runtimeapi.NamespaceMode_NODE, Pid: runtimeapi.NamespaceMode_CONTAINER, Ipc: runtimeapi.NamespaceMode_POD}
	parent := r.CgroupParent + "/pod" + p.UID
	sbConfig := &runtimeapi.PodSandboxConfig{
		Metadata:    &runtimeapi.PodSandboxMetadata{Name: p.Name, Namespace: p.Namespace, Uid: p.UID},
		Labels:      sbLabels,
		Annotations: p.Annotations,
		Linux: &runtimeapi.LinuxPodSandboxConfig{
			CgroupParent: parent,
			SecurityContext: &runtimeapi.LinuxSandboxSecurityContext{
				NamespaceOptions: ns,
				// containerd runs a privileged container only in a
				// privileged sandbox, as kubelet asks for one then.
				Privileged: p.Container.Privileged,
			},
		},
	}
	sb, err := r.RT.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: sbConfig})
	if err != nil {
		r.tb.Fatalf("run pod sandbox %s/%s: %v\ncontainerd log:\n%s", p.Namespace, p.Name, err, r.log)
	}
	r.mu.Lock()
	r.pods = append(r.pods, sb.PodSandboxId)
	r.mu.Unlock()
	c := p.Container
	// kubelet creates containers from the image's id (what
	// EnsureImageExists returned), naming the image the user gave beside it.
	img, err := r.Images.ImageStatus(ctx, &runtimeapi.ImageStatusRequest{Image: &runtimeapi.ImageSpec{Image: c.Image}})
	if err != nil || img.Image == nil {
		r.tb.Fatalf("image %s: %v (not imported?)", c.Image, err)
	}
	cc, err := r.RT.CreateContainer(ctx, &runtimeapi.CreateContainerRequest{
		PodSandboxId:  sb.PodSandboxId,
		SandboxConfig: sbConfig,
		Config: &runtimeapi.ContainerConfig{
			Metadata: &runtimeapi.ContainerMetadata{Name: c.Name},
			Image:    &runtimeapi.ImageSpec{Image: img.Image.Id, UserSpecifiedImage: c.Image},
			Command:  c.Command,
			Labels:   merge(kubelet, map[string]string{"io.kubernetes.container.name": c.Name}),
			Mounts:   c.Mounts,
			Linux: &runtimeapi.LinuxContainerConfig{SecurityContext: &runtimeapi.LinuxContainerSecurityContext{
				Privileged:       c.Privileged,
				NamespaceOptions: ns,
			}},
		},
	})
	if err != nil {
		r.tb.Fatalf("create container %s: %v\ncontainerd log:\n%s", c.Name, err, r.log)
	}
	if _, err := r.RT.StartContainer(ctx, &runtimeapi.StartContainerRequest{ContainerId: cc.ContainerId}); err != nil {
		r.tb.Fatalf("start container %s: %v\ncontainerd log:\n%s", c.Name, err, r.log)
	}
	for {
		st, err := r.RT.ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{ContainerId: cc.ContainerId})
		if err != nil {
			r.tb.Fatalf("container status %s: %v", c.Name, err)
		}
		if st.Status.State == runtimeapi.ContainerState_CONTAINER_RUNNING {
			break
		}
		if st.Status.State == runtimeapi.ContainerState_CONTAINER_EXITED {
			r.tb.Fatalf("container %s exited: %s %s", c.Name, st.Status.Reason, st.Status.Message)
		}
		select {
		case <-ctx.Done():
			r.tb.Fatalf("container %s does not run: %v", c.Name, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
	return Running{SandboxID: sb.PodSandboxId, ContainerID: cc.ContainerId, Cgroup: parent + "/" + cc.ContainerId}
}

// Exec runs cmd in the container (CRI ExecSync) and returns its output
// and exit code.
func (r *Runtime) Exec(ctx context.Context, id string, cmd ...string) (stdout, stderr string, code int32, err error) {
	resp, err := r.RT.ExecSync(ctx, &runtimeapi.ExecSyncRequest{ContainerId: id, Cmd: cmd, Timeout: 30})
	if err != nil {
		return "", "", 0, fmt.Errorf("exec %v in %.12s: %w", cmd, id, err)
	}
	return string(resp.Stdout), string(resp.Stderr), resp.ExitCode, nil
}

// SharedDir returns a new directory that is a mount point of its own with
// shared propagation, as a volume with host-to-container (rslave) or
// bidirectional (rshared) propagation needs: containerd refuses those
// on a private mount. It is unmounted at cleanup.
func (r *Runtime) SharedDir() string {
	r.tb.Helper()
	d, err := os.MkdirTemp(r.Dir, "shared")
	if err != nil {
		r.tb.Fatal(err)
	}
	if err := syscall.Mount(d, d, "", syscall.MS_BIND, ""); err != nil {
		r.tb.Fatalf("bind %s: %v", d, err)
	}
	r.mu.Lock()
	r.mounts = append(r.mounts, d)
	r.mu.Unlock()
	if err := syscall.Mount("", d, "", syscall.MS_SHARED|syscall.MS_REC, ""); err != nil {
		r.tb.Fatalf("make %s shared: %v", d, err)
	}
	return d
}

// cleanup removes everything Start and RunPod made, in an order that
// works whatever state a failed test left: pods through CRI first (the
// orderly way), then containerd, its shims and their processes by force,
// then mounts, cgroups and the directory.
func (r *Runtime) cleanup() {
	tb := r.tb
	r.Resume()
	if r.conn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		for _, id := range r.pods {
			if _, err := r.RT.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: id}); err != nil {
				tb.Logf("containerdtest: stop pod %.12s: %v", id, err)
			}
			if _, err := r.RT.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: id}); err != nil {
				tb.Logf("containerdtest: remove pod %.12s: %v", id, err)
			}
		}
		cancel()
		if err := r.conn.Close(); err != nil {
			tb.Logf("containerdtest: close CRI connection: %v", err)
		}
	}
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-r.exited:
		case <-time.After(10 * time.Second):
			_ = r.cmd.Process.Kill()
			<-r.exited
		}
	}
	// Shims outlive containerd by design; they are ours when their
	// command line names our socket. A killed shim leaves its socket in
	// /run/containerd/s, named by a hash of containerd's socket, the
	// namespace and the sandbox id (containerd's shim.SocketAddress).
	for _, pid := range shims(r.Socket) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	for _, id := range r.pods {
		sum := sha256.Sum256([]byte(filepath.Join(r.Socket, Namespace, id)))
		_ = os.Remove(filepath.Join(shimSocketDir, hex.EncodeToString(sum[:])))
	}
	// Only when empty: they are not ours when another containerd runs.
	_ = syscall.Rmdir(shimSocketDir)
	_ = syscall.Rmdir(filepath.Dir(shimSocketDir))
	killCgroup(tb, r.CgroupParent)
	for i := len(r.mounts) - 1; i >= 0; i-- {
		if err := syscall.Unmount(r.mounts[i], syscall.MNT_DETACH); err != nil {
			tb.Logf("containerdtest: unmount %s: %v", r.mounts[i], err)
		}
	}
	unmountUnder(tb, r.Dir)
	removeCgroup(tb, r.CgroupParent)
	if tb.Failed() {
		tb.Logf("containerd log:\n%s", r.log)
	}
	if r.Dir != "" {
		if err := os.RemoveAll(r.Dir); err != nil {
			tb.Errorf("containerdtest: remove %s: %v", r.Dir, err)
		}
	}
}

// shims lists the pids of containerd shims started for the containerd at
// socket.
func shims(socket string) []int {
	ents, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range ents {
		var pid int
		if _, err := fmt.Sscan(e.Name(), &pid); err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		args := strings.Split(string(b), "\x00")
		if len(args) > 0 && strings.Contains(filepath.Base(args[0]), "containerd-shim") && slices.Contains(args, socket) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// cgroupMounts lists the mount points of cgroup (v1) and cgroup2
// hierarchies.
func cgroupMounts() []string {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	var out []string
	for line := range strings.Lines(string(b)) {
		pre, post, ok := strings.Cut(line, " - ")
		if !ok {
			continue
		}
		f, pf := strings.Fields(pre), strings.Fields(post)
		if len(f) > 4 && len(pf) > 0 && (pf[0] == "cgroup" || pf[0] == "cgroup2") {
			out = append(out, unescape(f[4]))
		}
	}
	return out
}

// killCgroup kills every process left in parent's cgroups, in every
// hierarchy, until none is left (or 10 s pass).
func killCgroup(tb testing.TB, parent string) {
	for range 100 {
		n := 0
		for _, m := range cgroupMounts() {
			for _, p := range cgroupDirs(filepath.Join(m, parent)) {
				b, _ := os.ReadFile(filepath.Join(p, "cgroup.procs"))
				for _, f := range strings.Fields(string(b)) {
					var pid int
					if _, err := fmt.Sscan(f, &pid); err == nil && pid > 0 {
						_ = syscall.Kill(pid, syscall.SIGKILL)
						n++
					}
				}
			}
		}
		if n == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	tb.Logf("containerdtest: processes left in cgroup %s", parent)
}

// cgroupDirs lists root and the directories below it, parents first
// (none when root is absent).
func cgroupDirs(root string) []string {
	var dirs []string
	_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			dirs = append(dirs, p)
		}
		return nil // a cgroup removed meanwhile is no error here
	})
	return dirs
}

// removeCgroup removes parent's cgroups, deepest first, in every
// hierarchy.
func removeCgroup(tb testing.TB, parent string) {
	for _, m := range cgroupMounts() {
		dirs := cgroupDirs(filepath.Join(m, parent))
		for i := len(dirs) - 1; i >= 0; i-- {
			var err error
			for range 50 { // a cgroup whose last process just died may be busy a moment
				if err = syscall.Rmdir(dirs[i]); err == nil || errors.Is(err, syscall.ENOENT) {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			if err != nil && !errors.Is(err, syscall.ENOENT) {
				tb.Errorf("containerdtest: remove cgroup %s: %v", dirs[i], err)
			}
		}
	}
}

// unmountUnder detaches every mount at or below dir, deepest first (the
// sandboxes' /dev/shm, rootfs overlays containerd left).
func unmountUnder(tb testing.TB, dir string) {
	if dir == "" {
		return
	}
	for range 10 {
		b, err := os.ReadFile("/proc/self/mountinfo")
		if err != nil {
			return
		}
		var under []string
		for line := range strings.Lines(string(b)) {
			f := strings.Fields(line)
			if len(f) > 4 {
				if p := unescape(f[4]); p == dir || strings.HasPrefix(p, dir+"/") {
					under = append(under, p)
				}
			}
		}
		if len(under) == 0 {
			return
		}
		for i := len(under) - 1; i >= 0; i-- {
			if err := syscall.Unmount(under[i], syscall.MNT_DETACH); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOENT) {
				tb.Logf("containerdtest: unmount %s: %v", under[i], err)
			}
		}
	}
}

// unescape undoes mountinfo's octal escapes (\040 for a space…).
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			var v int
			if _, err := fmt.Sscanf(s[i+1:i+4], "%o", &v); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
