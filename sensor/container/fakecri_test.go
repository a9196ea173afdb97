package container

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// fakeRuntime is an in-process CRI RuntimeService holding containers and
// pod sandboxes as containerd and CRI-O report them.
type fakeRuntime struct {
	runtimeapi.UnimplementedRuntimeServiceServer

	mu         sync.Mutex
	containers map[string]fakeContainer
	sandboxes  map[string]*runtimeapi.PodSandboxStatus
	sbInfo     map[string]string // verbose info["info"] of sandboxes, by id
	gate       chan struct{}     // when set, ContainerStatus waits for it to close
	calls      atomic.Int64      // ContainerStatus calls
}

type fakeContainer struct {
	status    *runtimeapi.ContainerStatus
	info      string // verbose info["info"]; empty: the runtime sends none
	sandboxID string // what ListContainers reports
}

func newFakeRuntime() *fakeRuntime {
	return &fakeRuntime{containers: map[string]fakeContainer{}, sandboxes: map[string]*runtimeapi.PodSandboxStatus{},
		sbInfo: map[string]string{}}
}

func (f *fakeRuntime) addContainer(c fakeContainer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.containers[c.status.Id] = c
}

func (f *fakeRuntime) addSandbox(s *runtimeapi.PodSandboxStatus) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sandboxes[s.Id] = s
}

// setSandboxInfo sets the verbose info a sandbox's status carries.
func (f *fakeRuntime) setSandboxInfo(id, info string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sbInfo[id] = info
}

func (f *fakeRuntime) removeContainer(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.containers, id)
}

func (f *fakeRuntime) setGate(g chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gate = g
}

func (f *fakeRuntime) Version(context.Context, *runtimeapi.VersionRequest) (*runtimeapi.VersionResponse, error) {
	return &runtimeapi.VersionResponse{Version: "0.1.0", RuntimeName: "containerd", RuntimeVersion: "v1.7.24", RuntimeApiVersion: "v1"}, nil
}

func (f *fakeRuntime) ContainerStatus(ctx context.Context, r *runtimeapi.ContainerStatusRequest) (*runtimeapi.ContainerStatusResponse, error) {
	f.calls.Add(1)
	f.mu.Lock()
	gate := f.gate
	f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.containers[r.ContainerId]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "an error occurred when try to find container %q: not found", r.ContainerId)
	}
	resp := &runtimeapi.ContainerStatusResponse{Status: c.status}
	if r.Verbose && c.info != "" {
		resp.Info = map[string]string{"info": c.info}
	}
	return resp, nil
}

func (f *fakeRuntime) PodSandboxStatus(_ context.Context, r *runtimeapi.PodSandboxStatusRequest) (*runtimeapi.PodSandboxStatusResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.sandboxes[r.PodSandboxId]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "an error occurred when try to find sandbox: not found")
	}
	resp := &runtimeapi.PodSandboxStatusResponse{Status: s}
	if info := f.sbInfo[r.PodSandboxId]; r.Verbose && info != "" {
		resp.Info = map[string]string{"info": info}
	}
	return resp, nil
}

func (f *fakeRuntime) ListContainers(_ context.Context, r *runtimeapi.ListContainersRequest) (*runtimeapi.ListContainersResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*runtimeapi.Container
	for id, c := range f.containers {
		if r.GetFilter().GetId() != "" && r.Filter.Id != id {
			continue
		}
		out = append(out, &runtimeapi.Container{Id: id, PodSandboxId: c.sandboxID, Metadata: c.status.Metadata,
			Image: c.status.Image, ImageRef: c.status.ImageRef, State: c.status.State, Labels: c.status.Labels})
	}
	return &runtimeapi.ListContainersResponse{Containers: out}, nil
}

func (f *fakeRuntime) ListPodSandbox(context.Context, *runtimeapi.ListPodSandboxRequest) (*runtimeapi.ListPodSandboxResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*runtimeapi.PodSandbox
	for id, s := range f.sandboxes {
		out = append(out, &runtimeapi.PodSandbox{Id: id, Metadata: s.Metadata, State: s.State, Labels: s.Labels})
	}
	return &runtimeapi.ListPodSandboxResponse{Items: out}, nil
}

// serve serves rt on a unix socket at path until the returned stop is
// called (or the test ends).
func serve(tb testing.TB, path string, rt *fakeRuntime) (stop func()) {
	tb.Helper()
	l, err := net.Listen("unix", path)
	if err != nil {
		tb.Fatalf("listen %s: %v", path, err)
	}
	srv := grpc.NewServer()
	runtimeapi.RegisterRuntimeServiceServer(srv, rt)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(l)
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			srv.Stop()
			<-done
			_ = os.Remove(path)
		})
	}
	tb.Cleanup(stop)
	return stop
}

// socketPath returns a short socket path in a fresh directory (unix socket
// paths are limited to 108 bytes, which deep t.TempDir paths can exceed).
func socketPath(tb testing.TB) string {
	tb.Helper()
	dir, err := os.MkdirTemp("", "cri")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "cri.sock")
}

func readInfo(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}
