package container

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/event"
)

// Ids of the fixtures: the web container of pod web-7d9f8c6b5-x2x7k in
// namespace tenant-a (containerd), its sandbox, and an api container of a
// tenant-b pod (CRI-O).
const (
	webID     = id // from cgroup_test.go
	webPodID  = "a3f1c2d4e5b60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
	digestID  = "1111111111111111111111111111111111111111111111111111111111111111"
	refID     = "2222222222222222222222222222222222222222222222222222222222222222"
	bareID    = "3333333333333333333333333333333333333333333333333333333333333333"
	orphanID  = "4444444444444444444444444444444444444444444444444444444444444444"
	apiID     = "5555555555555555555555555555555555555555555555555555555555555555"
	apiPodID  = "b4e2d3c5f6a7081928374a5b6c7d8e9fa0b1c2d3e4f5061728394a5b6c7d8e9f"
	unknownID = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	nginxID   = "sha256:a8758716bb6aa4d90071160d27028fe4eaee7ce8166221a97d30440c8eac2be6"
	nginxRef  = "docker.io/library/nginx@sha256:4c0fdaa8b6341bfdeca5f18f7837462c80cff90527ee35ef185571e1c327beac"
	podUIDA   = uid // from cgroup_test.go
	podUIDB   = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
	hostID    = "6666666666666666666666666666666666666666666666666666666666666666"
	hostPodID = "c5f3e4d6a7b8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192"
	nginxHex  = "a8758716bb6aa4d90071160d27028fe4eaee7ce8166221a97d30440c8eac2be6"
	nginxDig  = "sha256:4c0fdaa8b6341bfdeca5f18f7837462c80cff90527ee35ef185571e1c327beac"
	created   = 1764490364112934511 // 2025-11-30T08:12:44.112934511Z
)

// webApplied is kubectl's last-applied-configuration of the web pod: an
// exec liveness probe and an HTTP readiness probe (which runs no command).
const webApplied = `{"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{},"labels":{"app":"web"},"name":"web-7d9f8c6b5-x2x7k","namespace":"tenant-a"},` +
	`"spec":{"containers":[{"image":"docker.io/library/nginx:1.25.3","livenessProbe":{"exec":{"command":["cat","/tmp/healthy"]},"periodSeconds":5},` +
	`"name":"web","readinessProbe":{"httpGet":{"path":"/","port":80}}},{"name":"sidecar","image":"busybox","readinessProbe":{"exec":{"command":["true"]}}}]}}` + "\n"

func podLabels(name, ns, uid string, extra map[string]string) map[string]string {
	l := map[string]string{LabelPodName: name, LabelPodNamespace: ns, LabelPodUID: uid}
	for k, v := range extra {
		l[k] = v
	}
	return l
}

func webStatus(id, image, ref string) *runtimeapi.ContainerStatus {
	uidDir := "/var/lib/kubelet/pods/" + podUIDA
	return &runtimeapi.ContainerStatus{
		Id:        id,
		Metadata:  &runtimeapi.ContainerMetadata{Name: "web"},
		State:     runtimeapi.ContainerState_CONTAINER_RUNNING,
		Image:     &runtimeapi.ImageSpec{Image: image},
		ImageRef:  ref,
		ImageId:   nginxID,
		CreatedAt: created,
		Labels:    podLabels("web-7d9f8c6b5-x2x7k", "tenant-a", podUIDA, map[string]string{LabelContainerName: "web"}),
		Mounts: []*runtimeapi.Mount{
			{ContainerPath: "/var/run/secrets/kubernetes.io/serviceaccount", HostPath: uidDir + "/volumes/kubernetes.io~projected/kube-api-access-7xk2p", Readonly: true},
			{ContainerPath: "/etc/hosts", HostPath: uidDir + "/etc-hosts"},
			{ContainerPath: "/dev/termination-log", HostPath: uidDir + "/containers/web/3c1e9b2a"},
			{ContainerPath: "/host/var/log", HostPath: "/var/log", Readonly: true, Propagation: runtimeapi.MountPropagation_PROPAGATION_HOST_TO_CONTAINER},
		},
		LogPath: "/var/log/pods/tenant-a_web-7d9f8c6b5-x2x7k_" + podUIDA + "/web/0.log",
	}
}

// newTenantRuntime returns a runtime holding the fixtures. The verbose
// info JSON in testdata is in the runtimes' formats: containerd 1.6's
// ContainerInfo and SandboxInfo (its CRI config as Go's JSON of the CRI
// types, its OCI runtime spec with the default mounts `ctr oci spec` of
// the containerd installed here prints, its CNI result as go-cni's Result),
// CRI-O's info with its annotations. They are written, not captured: a
// real containerd's answers for a real pod are in
// testdata/containerd-1.6-real-*.json (TestCapturedContainerdStatus).
func newTenantRuntime(tb testing.TB) *fakeRuntime {
	rt := newFakeRuntime()
	ctdInfo := readInfo(tb, "containerd-info.json")
	rt.addSandbox(&runtimeapi.PodSandboxStatus{
		Id:        webPodID,
		Metadata:  &runtimeapi.PodSandboxMetadata{Name: "web-7d9f8c6b5-x2x7k", Uid: podUIDA, Namespace: "tenant-a"},
		State:     runtimeapi.PodSandboxState_SANDBOX_READY,
		CreatedAt: created - 2e9,
		Network:   &runtimeapi.PodSandboxNetworkStatus{Ip: "10.244.1.17"},
		Linux: &runtimeapi.LinuxPodSandboxStatus{Namespaces: &runtimeapi.Namespace{Options: &runtimeapi.NamespaceOption{
			Network: runtimeapi.NamespaceMode_POD, Pid: runtimeapi.NamespaceMode_CONTAINER, Ipc: runtimeapi.NamespaceMode_POD}}},
		Labels: podLabels("web-7d9f8c6b5-x2x7k", "tenant-a", podUIDA, map[string]string{"app": "web", "pod-template-hash": "7d9f8c6b5"}),
		Annotations: map[string]string{"kubernetes.io/config.seen": "2025-11-30T08:12:42.101Z", "kubernetes.io/config.source": "api",
			"kubectl.kubernetes.io/last-applied-configuration": webApplied},
	})
	rt.setSandboxInfo(webPodID, readInfo(tb, "containerd-sandbox-info.json"))
	rt.addContainer(fakeContainer{status: webStatus(webID, "docker.io/library/nginx:1.25.3", nginxRef), info: ctdInfo, sandboxID: webPodID})
	// Pulled by digest: the status names only the image id.
	rt.addContainer(fakeContainer{status: webStatus(digestID, nginxID, nginxRef), info: ctdInfo, sandboxID: webPodID})
	// No verbose info and no tag: the image ref names repo@digest.
	rt.addContainer(fakeContainer{status: webStatus(refID, nginxID, nginxRef), sandboxID: webPodID})
	rt.addContainer(fakeContainer{status: webStatus(bareID, "", nginxID), sandboxID: webPodID})
	rt.addContainer(fakeContainer{status: webStatus(orphanID, "docker.io/library/nginx:1.25.3", nginxRef), sandboxID: "gone"})

	rt.addSandbox(&runtimeapi.PodSandboxStatus{
		Id:       apiPodID,
		Metadata: &runtimeapi.PodSandboxMetadata{Name: "api-0", Uid: podUIDB, Namespace: "tenant-b"},
		Network:  &runtimeapi.PodSandboxNetworkStatus{Ip: "10.85.0.23"},
		Linux: &runtimeapi.LinuxPodSandboxStatus{Namespaces: &runtimeapi.Namespace{Options: &runtimeapi.NamespaceOption{
			Pid: runtimeapi.NamespaceMode_NODE}}},
		Labels: podLabels("api-0", "tenant-b", podUIDB, map[string]string{"app": "api"}),
	})
	rt.setSandboxInfo(apiPodID, readInfo(tb, "crio-sandbox-info.json"))
	rt.addContainer(fakeContainer{
		status: &runtimeapi.ContainerStatus{
			Id:       apiID,
			Metadata: &runtimeapi.ContainerMetadata{Name: "api"},
			Image:    &runtimeapi.ImageSpec{Image: "quay.io/tenant-b/api:v2.4.1"},
			ImageRef: "quay.io/tenant-b/api@sha256:3fbc632167424a6d997e74f52b878d7cc478225cffac6bc977eedfe51c7f4e79",
			Labels:   podLabels("api-0", "tenant-b", podUIDB, nil),
		},
		info: readInfo(tb, "crio-info.json"),
	})

	// A pod on the host's network and IPC namespaces: its IP is the
	// node's, which is no container.ip.
	rt.addSandbox(&runtimeapi.PodSandboxStatus{
		Id:       hostPodID,
		Metadata: &runtimeapi.PodSandboxMetadata{Name: "node-agent-x7", Uid: podUIDB, Namespace: "kube-system"},
		Network:  &runtimeapi.PodSandboxNetworkStatus{Ip: "192.168.10.4"},
		Linux: &runtimeapi.LinuxPodSandboxStatus{Namespaces: &runtimeapi.Namespace{Options: &runtimeapi.NamespaceOption{
			Network: runtimeapi.NamespaceMode_NODE, Ipc: runtimeapi.NamespaceMode_NODE}}},
	})
	rt.addContainer(fakeContainer{status: &runtimeapi.ContainerStatus{Id: hostID, Metadata: &runtimeapi.ContainerMetadata{Name: "agent"},
		Image: &runtimeapi.ImageSpec{Image: "registry.example/agent:1"}, ImageRef: "sha256:" + nginxHex}, sandboxID: hostPodID})
	return rt
}

// webWant is the web container as the fixtures describe it; info says
// whether its status came with containerd's verbose info.
func webWant(image, repo, tag string, privileged, info bool) event.Container {
	uidDir := "/var/lib/kubelet/pods/" + podUIDA
	c := event.Container{
		Name: "web", Image: image, ImageRepo: repo, ImageTag: tag, ImageDigest: nginxDig, ImageID: nginxHex, Privileged: privileged,
		Mounts: []event.Mount{
			{Source: uidDir + "/volumes/kubernetes.io~projected/kube-api-access-7xk2p", Dest: "/var/run/secrets/kubernetes.io/serviceaccount", Propagation: "private"},
			{Source: uidDir + "/etc-hosts", Dest: "/etc/hosts", RW: true, Propagation: "private"},
			{Source: uidDir + "/containers/web/3c1e9b2a", Dest: "/dev/termination-log", RW: true, Propagation: "private"},
			{Source: "/var/log", Dest: "/host/var/log", Propagation: "rslave"},
		},
		LivenessProbe: []string{"cat", "/tmp/healthy"},
		Start:         time.Unix(0, created),
		IP:            "10.244.1.17",
		Labels: podLabels("web-7d9f8c6b5-x2x7k", "tenant-a", podUIDA, map[string]string{LabelContainerName: "web",
			LabelSandboxID: webPodID}),
		PodName: "web-7d9f8c6b5-x2x7k", Namespace: "tenant-a", PodUID: podUIDA, PodSandboxID: webPodID, PodIP: "10.244.1.17",
		PodLabels:      map[string]string{"app": "web", "pod-template-hash": "7d9f8c6b5"},
		PodAnnotations: map[string]string{"kubernetes.io/config.seen": "2025-11-30T08:12:42.101Z", "kubernetes.io/config.source": "api"},
		PodCNIJSON:     `{"cni0":{"IPConfigs":null},"eth0":{"IPConfigs":[{"IP":"10.244.1.17","Gateway":"10.244.1.1"}]}}`,
	}
	if len(webApplied) <= maxAnnotationLen {
		c.PodAnnotations["kubectl.kubernetes.io/last-applied-configuration"] = webApplied
	}
	if info {
		c.Cmdline = []string{"nginx", "-g", "daemon off;"}
	}
	return c
}

func TestCRIContainer(t *testing.T) {
	path := socketPath(t)
	serve(t, path, newTenantRuntime(t))
	c, err := DialCRI(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	orphan := webWant("docker.io/library/nginx:1.25.3", "docker.io/library/nginx", "1.25.3", false, false)
	orphan.PodLabels, orphan.PodAnnotations, orphan.PodSandboxID, orphan.PodIP, orphan.IP, orphan.PodCNIJSON = nil, nil, "", "", "", ""
	orphan.LivenessProbe = nil
	delete(orphan.Labels, LabelSandboxID)
	bare := webWant(nginxID, "", "", false, false)
	bare.ImageDigest = nginxID // a bare id image ref is the digest, as Falco reads it
	webPod := webWant("", "", "", false, false)
	tests := []struct {
		desc, id string
		want     event.Container
		wantErr  error
	}{
		{"containerd, privileged, tagged image", webID,
			webWant("docker.io/library/nginx:1.25.3", "docker.io/library/nginx", "1.25.3", true, true), nil},
		{"containerd, pulled by digest: image from the spec annotation", digestID,
			webWant("docker.io/library/nginx:1.25.3", "docker.io/library/nginx", "1.25.3", true, true), nil},
		{"no verbose info: image ref, sandbox from ListContainers", refID,
			webWant(nginxRef, "docker.io/library/nginx", "", false, false), nil},
		{"only an image id", bareID, bare, nil},
		{"CRI-O, unprivileged, host PID namespace, CNI result from the annotation", apiID, event.Container{Name: "api",
			Image: "quay.io/tenant-b/api:v2.4.1", ImageRepo: "quay.io/tenant-b/api", ImageTag: "v2.4.1",
			ImageDigest: "sha256:3fbc632167424a6d997e74f52b878d7cc478225cffac6bc977eedfe51c7f4e79", HostPID: true,
			IP: "10.85.0.23", Labels: podLabels("api-0", "tenant-b", podUIDB, map[string]string{LabelSandboxID: apiPodID}),
			PodName: "api-0", Namespace: "tenant-b", PodUID: podUIDB, PodSandboxID: apiPodID, PodIP: "10.85.0.23",
			PodLabels: map[string]string{"app": "api"},
			PodCNIJSON: `{"cniVersion":"1.0.0","interfaces":[{"name":"bridge","mac":"ce:1b:6d:02:f4:93"},{"name":"veth8a72f3e1","mac":"f6:0e:7d:23:aa:5c"},` +
				`{"name":"eth0","mac":"86:b1:2f:d9:61:0c","sandbox":"/var/run/netns/3b2c9d1e-7f6a-4e5d-8c9b-0a1f2e3d4c5b"}],` +
				`"ips":[{"interface":2,"address":"10.85.0.23/16","gateway":"10.85.0.1"}],"routes":[{"dst":"0.0.0.0/0"}],"dns":{}}`}, nil},
		{"host network and IPC: no container IP", hostID, event.Container{Name: "agent", Image: "registry.example/agent:1",
			ImageRepo: "registry.example/agent", ImageTag: "1", ImageDigest: "sha256:" + nginxHex, ImageID: nginxHex,
			HostNetwork: true, HostIPC: true, Labels: map[string]string{LabelSandboxID: hostPodID},
			PodName: "node-agent-x7", Namespace: "kube-system", PodUID: podUIDB, PodSandboxID: hostPodID}, nil},
		{"a pod sandbox (pause container)", webPodID, event.Container{Name: "web-7d9f8c6b5-x2x7k", Start: time.Unix(0, created-2e9),
			IP: "10.244.1.17", Labels: podLabels("web-7d9f8c6b5-x2x7k", "tenant-a", podUIDA,
				map[string]string{"app": "web", "pod-template-hash": "7d9f8c6b5", LabelSandboxID: webPodID}),
			PodName: "web-7d9f8c6b5-x2x7k", Namespace: "tenant-a", PodUID: podUIDA, PodSandboxID: webPodID, PodIP: "10.244.1.17",
			PodLabels: webPod.PodLabels, PodAnnotations: webPod.PodAnnotations, PodCNIJSON: webPod.PodCNIJSON}, nil},
		{"sandbox gone: container fields only", orphanID, orphan, ErrIncomplete},
		{"unknown id", unknownID, event.Container{}, ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), testutil.Patience)
			defer cancel()
			got, err := c.Container(ctx, tc.id)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Fatalf("Container error = %v, want %v", err, tc.wantErr)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("Container (-want +got):\n%s", d)
			}
		})
	}
}

func TestCRIVersionAndIDs(t *testing.T) {
	path := socketPath(t)
	serve(t, path, newTenantRuntime(t))
	c, err := DialCRI(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	v, err := c.Version(ctx)
	if err != nil || v != (Version{Name: "containerd", Version: "v1.7.24", APIVersion: "v1"}) {
		t.Fatalf("Version = %+v, %v", v, err)
	}
	ids, err := c.IDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{webID, digestID, refID, bareID, orphanID, apiID, webPodID, apiPodID, hostID, hostPodID} {
		if !ids[want] {
			t.Errorf("IDs lacks %s", want)
		}
	}
	if len(ids) != 10 {
		t.Errorf("IDs has %d ids, want 10", len(ids))
	}
}

func TestCRINoServer(t *testing.T) {
	c, err := DialCRI(socketPath(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Patience)
	defer cancel()
	_, err = c.Container(ctx, webID)
	if err == nil || !unavailable(err) || !strings.Contains(err.Error(), webID) {
		t.Fatalf("Container on a missing socket = %v, want an unavailable error naming the id", err)
	}
}

// FuzzRuntimeInfo feeds arbitrary verbose info JSON and pod manifests (what
// a runtime or a pod's creator controls) to the parsers.
func FuzzRuntimeInfo(f *testing.F) {
	f.Add(readInfo(f, "containerd-info.json"), readInfo(f, "containerd-sandbox-info.json"), webApplied)
	f.Add(readInfo(f, "crio-info.json"), readInfo(f, "crio-sandbox-info.json"), "")
	f.Add(`{"config":{"image":{"image":"sha256:"}},"privileged":"yes"}`, `{"cniResult":{"Interfaces":{"lo":null}}}`, `{"spec":{"containers":[{"name":"web","livenessProbe":null}]}}`)
	f.Fuzz(func(t *testing.T, info, sbInfo, manifest string) {
		st := webStatus(webID, "docker.io/library/nginx:1.25.3", nginxRef)
		c, _ := fromStatus(st, map[string]string{"info": info})
		sb := &runtimeapi.PodSandboxStatus{Id: webPodID, Annotations: map[string]string{lastApplied: manifest}}
		addSandbox(&c, sb, map[string]string{"info": sbInfo})
		if len(c.PodCNIJSON) > maxCNIResultLen {
			t.Errorf("CNI result of %d bytes", len(c.PodCNIJSON))
		}
	})
}
