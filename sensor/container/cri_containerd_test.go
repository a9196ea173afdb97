package container

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/container/containerdtest"
	"github.com/probehub/probehub/sensor/event"
)

// The client speaks to a real runtime with nothing in it: containerd's CRI
// plugin answers Version, lists only nothing, and knows no id.
func TestContainerdCRI(t *testing.T) {
	rt := containerdtest.Start(t)
	c, err := DialCRI(rt.Socket)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Patience)
	defer cancel()

	v, err := c.Version(ctx)
	if err != nil || v.Name != "containerd" || v.APIVersion != "v1" || v.Version == "" {
		t.Errorf("Version = %+v, %v; want containerd speaking CRI v1", v, err)
	}
	t.Logf("real runtime: %+v, snapshotter %s", v, rt.Snapshotter)
	ids, err := c.IDs(ctx)
	if err != nil || len(ids) != 0 {
		t.Errorf("IDs = %v, %v; want none", ids, err)
	}
	if _, err := c.Container(ctx, webID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Container(unknown) error = %v, want ErrNotFound", err)
	}

	k := NewCRICache(ctx, CRIOptions{Sockets: []string{rt.Socket}, CacheOptions: CacheOptions{Wait: 5 * time.Second}})
	defer k.Close()
	if err := k.Err(); err != nil || !strings.HasPrefix(k.Runtime(), "containerd ") {
		t.Fatalf("cache on containerd: Err %v, Runtime %q", err, k.Runtime())
	}
	var ct event.Container
	if k.Lookup(webID, &ct) || k.Metrics().NotFound.Load() != 1 {
		t.Errorf("lookup of an unknown id: hit or not counted as not found (%d)", k.Metrics().NotFound.Load())
	}

	// With the default options a lookup never waits for containerd: it
	// returns at once, and containerd's answer arrives in the background.
	d := NewCRICache(ctx, CRIOptions{Sockets: []string{rt.Socket}})
	defer d.Close()
	ct = event.Container{ID: webID[:12], FullID: webID}
	if d.Lookup(webID, &ct) || ct.FullID != webID || d.Metrics().Timeouts.Load() != 0 {
		t.Errorf("default lookup: hit, changed %+v or waited", ct)
	}
	eventually(t, "containerd's not-found answer in the background", func() bool { return d.Metrics().NotFound.Load() == 1 })
}

// realPod is the pod the real-runtime tests run: privileged, on the host
// network, with kubelet's labels, three volumes (one per propagation) and
// an image built here.
type realPod struct {
	rt                *containerdtest.Runtime
	run               containerdtest.Running
	pod               containerdtest.Pod
	image, repo, tag  string
	digest, configHex string
	mounts            []event.Mount
}

const (
	realImageRepo = "probehub.test/shadow-reader"
	realImageTag  = "v1"
)

func startRealPod(t *testing.T) *realPod {
	t.Helper()
	rt := containerdtest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := []string{"/bin/sleep", "2147483647"}
	img := containerdtest.BusyboxImage(t, cmd, map[string]containerdtest.File{
		"etc/shadow": {Data: []byte("root:*:20000:0:99999:7:::\n"), Mode: 0o640},
		"etc/passwd": {Data: []byte("root:x:0:0:root:/root:/bin/sh\n"), Mode: 0o644},
	})
	p := &realPod{rt: rt, repo: realImageRepo, tag: realImageTag, image: realImageRepo + ":" + realImageTag}
	rt.Import(ctx, p.image, img)
	dg, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	p.digest, p.configHex = dg.String(), cfg.Hex

	data, err := os.MkdirTemp(rt.Dir, "data")
	if err != nil {
		t.Fatal(err)
	}
	slave, shared := rt.SharedDir(), rt.SharedDir()
	p.pod = containerdtest.Pod{
		Name: "web-0", Namespace: "tenant-a", UID: "5f3a2b1c-0d4e-4f60-8a7b-9c0d1e2f3a4b",
		Labels:      map[string]string{"app": "web", "tier": "front"},
		Annotations: map[string]string{"team": "a"},
		Container: containerdtest.Container{
			Name: "shadow-reader", Image: p.image, Command: cmd, Privileged: true,
			Mounts: []*runtimeapi.Mount{
				{ContainerPath: "/data", HostPath: data, Propagation: runtimeapi.MountPropagation_PROPAGATION_PRIVATE},
				{ContainerPath: "/host-config", HostPath: slave, Readonly: true, Propagation: runtimeapi.MountPropagation_PROPAGATION_HOST_TO_CONTAINER},
				{ContainerPath: "/exchange", HostPath: shared, Propagation: runtimeapi.MountPropagation_PROPAGATION_BIDIRECTIONAL},
			},
		},
	}
	p.mounts = []event.Mount{
		{Source: data, Dest: "/data", RW: true, Propagation: "private"},
		{Source: slave, Dest: "/host-config", RW: false, Propagation: "rslave"},
		{Source: shared, Dest: "/exchange", RW: true, Propagation: "rshared"},
	}
	p.run = rt.RunPod(ctx, p.pod)
	return p
}

// check compares what the sensor read of the real container with what the
// test created.
func (p *realPod) check(t *testing.T, got event.Container) {
	t.Helper()
	want := map[string][2]any{
		"Name":         {got.Name, "shadow-reader"},
		"Image":        {got.Image, p.image},
		"ImageRepo":    {got.ImageRepo, p.repo},
		"ImageTag":     {got.ImageTag, p.tag},
		"ImageDigest":  {got.ImageDigest, p.digest},
		"ImageID":      {got.ImageID, p.configHex},
		"Privileged":   {got.Privileged, true},
		"HostNetwork":  {got.HostNetwork, true},
		"HostPID":      {got.HostPID, false},
		"PodName":      {got.PodName, p.pod.Name},
		"Namespace":    {got.Namespace, p.pod.Namespace},
		"PodUID":       {got.PodUID, p.pod.UID},
		"PodSandboxID": {got.PodSandboxID, p.run.SandboxID},
		"PodIP":        {got.PodIP, ""},
	}
	for name, gw := range want {
		if gw[0] != gw[1] {
			t.Errorf("%s = %v, want %v", name, gw[0], gw[1])
		}
	}
	if !reflect.DeepEqual(got.Mounts, p.mounts) {
		t.Errorf("Mounts =\n%+v\nwant\n%+v", got.Mounts, p.mounts)
	}
	if wl := map[string]string{"app": "web", "tier": "front"}; !reflect.DeepEqual(got.PodLabels, wl) {
		t.Errorf("PodLabels = %v, want %v", got.PodLabels, wl)
	}
	if got.PodAnnotations["team"] != "a" {
		t.Errorf("PodAnnotations = %v, want team=a among them", got.PodAnnotations)
	}
	if got.Labels[LabelContainerName] != "shadow-reader" || got.Labels[LabelSandboxID] != p.run.SandboxID {
		t.Errorf("Labels = %v, want the container name and sandbox id", got.Labels)
	}
	if !slices.Equal(got.Cmdline, p.pod.Container.Command) {
		t.Errorf("Cmdline = %q, want %q", got.Cmdline, p.pod.Container.Command)
	}
	if !slices.Equal(got.Healthcheck, []string{"/bin/true"}) {
		t.Errorf("Healthcheck = %q, want the image's [/bin/true]", got.Healthcheck)
	}
	if got.Start.IsZero() || time.Since(got.Start) > time.Hour {
		t.Errorf("Start = %v, want the container's creation just now", got.Start)
	}
}

// The sensor's CRI client reads a real containerd's pod: everything
// ContainerStatus and PodSandboxStatus (verbose) tell of a privileged
// container with volumes, in an image built and imported here, and the
// container's real cgroup names it.
func TestContainerdCRIPod(t *testing.T) {
	p := startRealPod(t)
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Patience)
	defer cancel()
	c, err := DialCRI(p.rt.Socket)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetContainerdRoot(p.rt.Root)

	got, err := c.Container(ctx, p.run.ContainerID)
	if err != nil {
		t.Fatalf("Container: %v", err)
	}
	if *update {
		p.capture(ctx, t)
	}
	t.Logf("real container: %+v", got)
	p.check(t, got)

	// The pause container (the sandbox has a cgroup of its own) is named
	// after the pod.
	sb, err := c.Container(ctx, p.run.SandboxID)
	if err != nil {
		t.Fatalf("Container(sandbox): %v", err)
	}
	if sb.Name != p.pod.Name || sb.PodName != p.pod.Name || sb.Namespace != p.pod.Namespace || sb.PodUID != p.pod.UID || sb.PodSandboxID != p.run.SandboxID {
		t.Errorf("sandbox = %+v, want the pod's fields", sb)
	}
	ids, err := c.IDs(ctx)
	if err != nil || !ids[p.run.ContainerID] || !ids[p.run.SandboxID] || len(ids) != 2 {
		t.Errorf("IDs = %v, %v; want the container and its sandbox", ids, err)
	}
	images, err := c.ImageIDs(ctx)
	if err != nil || !slices.Contains(images, "sha256:"+p.configHex) {
		t.Errorf("ImageIDs = %v, %v; want sha256:%s among them", images, err, p.configHex)
	}

	// The cgroup of the container's process, as the kernel reports it,
	// gives its id and pod.
	pid := containerPID(t, p.run.Cgroup)
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		parts := strings.SplitN(strings.TrimSpace(line), ":", 3)
		if len(parts) != 3 || parts[2] == "/" {
			continue
		}
		if ref := FromCgroup(parts[2]); ref.ID != p.run.ContainerID || ref.PodUID != p.pod.UID || ref.Runtime != RuntimeContainerd {
			t.Errorf("FromCgroup(%q) = %+v, want %.12s of pod %s on containerd", parts[2], ref, p.run.ContainerID, p.pod.UID)
		}
	}
}

// The responses of the pod above as containerd 1.6.20 gave them (captured
// with -update as root), for the tests that cannot run one.
const (
	capturedStatus  = "containerd-1.6-real-container-status.json"
	capturedSandbox = "containerd-1.6-real-sandbox-status.json"
)

var update = flag.Bool("update", false, "rewrite testdata/"+capturedStatus+" and "+capturedSandbox+" from a real containerd's pod (root)")

// capture writes the verbose ContainerStatus and PodSandboxStatus
// responses of the pod into testdata.
func (p *realPod) capture(ctx context.Context, t *testing.T) {
	st, err := p.rt.RT.ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{ContainerId: p.run.ContainerID, Verbose: true})
	if err != nil {
		t.Fatal(err)
	}
	sb, err := p.rt.RT.PodSandboxStatus(ctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: p.run.SandboxID, Verbose: true})
	if err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]proto.Message{capturedStatus: st, capturedSandbox: sb} {
		b, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("testdata", name), append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// What a real containerd answered for TestContainerdCRIPod's pod, read
// back without a runtime: the sensor's parsing of containerd's own verbose
// info (not a hand-written one) on every machine.
func TestCapturedContainerdStatus(t *testing.T) {
	var st runtimeapi.ContainerStatusResponse
	var sb runtimeapi.PodSandboxStatusResponse
	for name, m := range map[string]proto.Message{capturedStatus: &st, capturedSandbox: &sb} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := protojson.Unmarshal(b, m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	got, sandboxID := fromStatus(st.Status, st.Info)
	if sandboxID != sb.Status.Id {
		t.Errorf("sandbox id from the verbose info = %q, want %q", sandboxID, sb.Status.Id)
	}
	addSandbox(&got, sb.Status, sb.Info)
	want := map[string][2]any{
		"Name":        {got.Name, "shadow-reader"},
		"Image":       {got.Image, realImageRepo + ":" + realImageTag},
		"ImageRepo":   {got.ImageRepo, realImageRepo},
		"ImageTag":    {got.ImageTag, realImageTag},
		"Privileged":  {got.Privileged, true},
		"HostNetwork": {got.HostNetwork, true},
		"PodName":     {got.PodName, "web-0"},
		"Namespace":   {got.Namespace, "tenant-a"},
		"PodUID":      {got.PodUID, "5f3a2b1c-0d4e-4f60-8a7b-9c0d1e2f3a4b"},
		"PodIP":       {got.PodIP, ""},
	}
	for name, gw := range want {
		if gw[0] != gw[1] {
			t.Errorf("%s = %v, want %v", name, gw[0], gw[1])
		}
	}
	// containerd reports the ref as repo@digest and keeps the config's
	// digest (the image id) in the CRI config: two different digests.
	if !strings.HasPrefix(got.ImageDigest, "sha256:") || len(got.ImageID) != 64 || got.ImageDigest == "sha256:"+got.ImageID ||
		st.Status.ImageRef != realImageRepo+"@"+got.ImageDigest {
		t.Errorf("ImageDigest %q, ImageID %q from image ref %q", got.ImageDigest, got.ImageID, st.Status.ImageRef)
	}
	var mounts []string
	for _, m := range got.Mounts {
		mounts = append(mounts, fmt.Sprintf("%s rw=%v %s", m.Dest, m.RW, m.Propagation))
	}
	if want := []string{"/data rw=true private", "/host-config rw=false rslave", "/exchange rw=true rshared"}; !slices.Equal(mounts, want) {
		t.Errorf("mounts = %q, want %q", mounts, want)
	}
	if !reflect.DeepEqual(got.PodLabels, map[string]string{"app": "web", "tier": "front"}) || got.PodAnnotations["team"] != "a" {
		t.Errorf("pod labels %v, annotations %v", got.PodLabels, got.PodAnnotations)
	}
	if !slices.Equal(got.Cmdline, []string{"/bin/sleep", "2147483647"}) {
		t.Errorf("Cmdline = %q", got.Cmdline)
	}
}

// containerPID returns a process of the container whose cgroup is cg.
func containerPID(t *testing.T, cg string) int {
	t.Helper()
	for _, h := range []string{"memory", "pids", "unified", ""} {
		b, err := os.ReadFile(filepath.Join("/sys/fs/cgroup", h, cg, "cgroup.procs"))
		if err != nil {
			continue
		}
		var pid int
		if _, err := fmt.Sscan(string(b), &pid); err == nil {
			return pid
		}
	}
	t.Fatalf("no process in cgroup %s", cg)
	return 0
}

// The cache in front of a real containerd serves what it fetched, and a
// containerd that hangs (SIGSTOP) or is gone never holds a lookup: known
// containers are served from the cache, unknown ones miss at once, and
// the fetch in the background is bounded.
func TestContainerdCacheSlowAndDown(t *testing.T) {
	p := startRealPod(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	k := NewCRICache(ctx, CRIOptions{Sockets: []string{p.rt.Socket}, ContainerdRoot: p.rt.Root,
		CacheOptions: CacheOptions{FetchTimeout: time.Second, NegativeTTL: 100 * time.Millisecond}})
	defer k.Close()
	if err := k.Err(); err != nil {
		t.Fatal(err)
	}
	id := p.run.ContainerID
	lookup := func(id string) (event.Container, bool) {
		c := event.Container{ID: id[:12], FullID: id}
		return c, k.Lookup(id, &c)
	}
	// First lookup: a miss that starts the fetch (default: no wait).
	if _, ok := lookup(id); ok {
		t.Fatal("first lookup hit before any fetch")
	}
	var got event.Container
	eventually(t, "the container's metadata in the cache", func() (ok bool) { got, ok = lookup(id); return ok })
	p.check(t, got)

	t.Run("slow", func(t *testing.T) {
		p.rt.Pause()
		defer p.rt.Resume()
		m := k.Metrics()
		before := m.FetchErrors.Load()
		start := time.Now()
		for range 1000 {
			if c, ok := lookup(id); !ok || c.PodName != p.pod.Name || !c.Privileged {
				t.Fatalf("cached lookup while containerd hangs = %v, %+v", ok, c)
			}
		}
		hit := time.Since(start) / 1000
		// The sandbox's id is new to the cache: the lookup misses at once
		// and its fetch gives up after FetchTimeout.
		start = time.Now()
		if _, ok := lookup(p.run.SandboxID); ok {
			t.Fatal("lookup of an id containerd could not answer hit")
		}
		t.Logf("containerd hung: a cached lookup took %v on average, a miss %v (a figure, not asserted)", hit, time.Since(start))
		eventually(t, "the fetch from a hung containerd to time out", func() bool { return m.FetchErrors.Load() > before })
		p.rt.Resume()
		eventually(t, "the sandbox's metadata once containerd answers again", func() bool { c, ok := lookup(p.run.SandboxID); return ok && c.Name == p.pod.Name })
	})

	t.Run("down", func(t *testing.T) {
		p.rt.Kill()
		m := k.Metrics()
		other := strings.Repeat("ab", 32)
		eventually(t, "the cache to see containerd gone", func() bool {
			lookup(other)
			return m.Unavailable.Load() > 0
		})
		for range 1000 {
			if c, ok := lookup(id); !ok || c.ImageRepo != p.repo {
				t.Fatalf("cached lookup with containerd gone = %v, %+v", ok, c)
			}
		}
	})
}
