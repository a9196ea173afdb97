package container

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

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
)

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
		Id:       id,
		Metadata: &runtimeapi.ContainerMetadata{Name: "web"},
		State:    runtimeapi.ContainerState_CONTAINER_RUNNING,
		Image:    &runtimeapi.ImageSpec{Image: image},
		ImageRef: ref,
		ImageId:  nginxID,
		Labels:   podLabels("web-7d9f8c6b5-x2x7k", "tenant-a", podUIDA, map[string]string{LabelContainerName: "web"}),
		Mounts: []*runtimeapi.Mount{
			{ContainerPath: "/var/run/secrets/kubernetes.io/serviceaccount", HostPath: uidDir + "/volumes/kubernetes.io~projected/kube-api-access-7xk2p", Readonly: true},
			{ContainerPath: "/etc/hosts", HostPath: uidDir + "/etc-hosts"},
			{ContainerPath: "/dev/termination-log", HostPath: uidDir + "/containers/web/3c1e9b2a"},
			{ContainerPath: "/host/var/log", HostPath: "/var/log", Readonly: true, Propagation: runtimeapi.MountPropagation_PROPAGATION_HOST_TO_CONTAINER},
		},
		LogPath: "/var/log/pods/tenant-a_web-7d9f8c6b5-x2x7k_" + podUIDA + "/web/0.log",
	}
}

// newTenantRuntime returns a runtime holding the fixtures.
func newTenantRuntime(tb testing.TB) *fakeRuntime {
	rt := newFakeRuntime()
	ctdInfo := readInfo(tb, "containerd-info.json")
	rt.addSandbox(&runtimeapi.PodSandboxStatus{
		Id:       webPodID,
		Metadata: &runtimeapi.PodSandboxMetadata{Name: "web-7d9f8c6b5-x2x7k", Uid: podUIDA, Namespace: "tenant-a"},
		State:    runtimeapi.PodSandboxState_SANDBOX_READY,
		Labels:   podLabels("web-7d9f8c6b5-x2x7k", "tenant-a", podUIDA, map[string]string{"app": "web", "pod-template-hash": "7d9f8c6b5"}),
	})
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
		Labels:   podLabels("api-0", "tenant-b", podUIDB, map[string]string{"app": "api"}),
	})
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
	return rt
}

func webWant(image, repo, tag string, privileged bool) event.Container {
	uidDir := "/var/lib/kubelet/pods/" + podUIDA
	return event.Container{
		Name: "web", Image: image, ImageRepo: repo, ImageTag: tag, Privileged: privileged,
		Mounts: []event.Mount{
			{Source: uidDir + "/volumes/kubernetes.io~projected/kube-api-access-7xk2p", Dest: "/var/run/secrets/kubernetes.io/serviceaccount"},
			{Source: uidDir + "/etc-hosts", Dest: "/etc/hosts", RW: true},
			{Source: uidDir + "/containers/web/3c1e9b2a", Dest: "/dev/termination-log", RW: true},
			{Source: "/var/log", Dest: "/host/var/log"},
		},
		PodName: "web-7d9f8c6b5-x2x7k", Namespace: "tenant-a", PodUID: podUIDA,
		PodLabels: map[string]string{"app": "web", "pod-template-hash": "7d9f8c6b5"},
	}
}

func TestCRIContainer(t *testing.T) {
	path := socketPath(t)
	serve(t, path, newTenantRuntime(t))
	c, err := DialCRI(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	noPodLabels := webWant("docker.io/library/nginx:1.25.3", "docker.io/library/nginx", "1.25.3", false)
	noPodLabels.PodLabels = nil
	tests := []struct {
		desc, id string
		want     event.Container
		wantErr  error
	}{
		{"containerd, privileged, tagged image", webID,
			webWant("docker.io/library/nginx:1.25.3", "docker.io/library/nginx", "1.25.3", true), nil},
		{"containerd, pulled by digest: image from the spec annotation", digestID,
			webWant("docker.io/library/nginx:1.25.3", "docker.io/library/nginx", "1.25.3", true), nil},
		{"no verbose info: image ref, sandbox from ListContainers", refID,
			webWant(nginxRef, "docker.io/library/nginx", "", false), nil},
		{"only an image id", bareID, webWant(nginxID, "", "", false), nil},
		{"CRI-O, unprivileged", apiID, event.Container{Name: "api", Image: "quay.io/tenant-b/api:v2.4.1",
			ImageRepo: "quay.io/tenant-b/api", ImageTag: "v2.4.1", PodName: "api-0", Namespace: "tenant-b",
			PodUID: podUIDB, PodLabels: map[string]string{"app": "api"}}, nil},
		{"a pod sandbox (pause container)", webPodID, event.Container{PodName: "web-7d9f8c6b5-x2x7k",
			Namespace: "tenant-a", PodUID: podUIDA, PodLabels: map[string]string{"app": "web", "pod-template-hash": "7d9f8c6b5"}}, nil},
		{"sandbox gone: container fields only", orphanID, noPodLabels, ErrIncomplete},
		{"unknown id", unknownID, event.Container{}, ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
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
	for _, want := range []string{webID, digestID, refID, bareID, orphanID, apiID, webPodID, apiPodID} {
		if !ids[want] {
			t.Errorf("IDs lacks %s", want)
		}
	}
	if len(ids) != 8 {
		t.Errorf("IDs has %d ids, want 8", len(ids))
	}
}

func TestCRINoServer(t *testing.T) {
	c, err := DialCRI(socketPath(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = c.Container(ctx, webID)
	if err == nil || !unavailable(err) || !strings.Contains(err.Error(), webID) {
		t.Fatalf("Container on a missing socket = %v, want an unavailable error naming the id", err)
	}
}
