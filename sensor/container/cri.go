package container

import (
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/probehub/probehub/sensor/event"
)

var (
	// ErrNotFound means the runtime knows no container or pod sandbox with
	// the id.
	ErrNotFound = errors.New("container not found")
	// ErrIncomplete means the container was found but part of its
	// metadata (the pod sandbox's labels) could not be read; the returned
	// Container holds the rest.
	ErrIncomplete = errors.New("container metadata incomplete")
)

// maxMsgSize bounds a CRI response; verbose statuses carry the whole OCI
// runtime spec (kubelet allows 16 MiB too).
const maxMsgSize = 16 << 20

// Version is what a runtime says of itself.
type Version struct {
	Name       string // "containerd", "cri-o"
	Version    string // "1.6.20~ds1"
	APIVersion string // "v1"
}

// CRI is a client of a container runtime's CRI RuntimeService (v1) on a
// unix socket. It is safe for concurrent use. Close it when done.
type CRI struct {
	path string
	conn *grpc.ClientConn
	rt   runtimeapi.RuntimeServiceClient
	// contentRoot is containerd's root, where image configs are read for
	// their health check (container.healthcheck); "" reads none.
	contentRoot string
}

// SetContainerdRoot sets where containerd's root is seen (default
// DefaultContainerdRoot; "" reads no image config).
func (c *CRI) SetContainerdRoot(root string) { c.contentRoot = root }

// DialCRI returns a client of the CRI socket at path. It does not connect:
// the first call does, and a lost connection is re-established with
// backoff (at most 5 s between attempts).
func DialCRI(path string) (*CRI, error) {
	conn, err := grpc.NewClient("unix://"+path,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithConnectParams(grpc.ConnectParams{
			Backoff:           backoff.Config{BaseDelay: 100 * time.Millisecond, Multiplier: 2, Jitter: 0.2, MaxDelay: 5 * time.Second},
			MinConnectTimeout: 2 * time.Second,
		}),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxMsgSize)))
	if err != nil {
		return nil, fmt.Errorf("dial cri %s: %w", path, err)
	}
	return &CRI{path: path, conn: conn, rt: runtimeapi.NewRuntimeServiceClient(conn), contentRoot: DefaultContainerdRoot}, nil
}

// ImageIDs lists the ids of the runtime's images (on containerd, the
// digests of their configs: what container.image.id shows).
func (c *CRI) ImageIDs(ctx context.Context) ([]string, error) {
	r, err := runtimeapi.NewImageServiceClient(c.conn).ListImages(ctx, &runtimeapi.ListImagesRequest{})
	if err != nil {
		return nil, fmt.Errorf("cri list images at %s: %w", c.path, err)
	}
	ids := make([]string, 0, len(r.Images))
	for _, im := range r.Images {
		ids = append(ids, im.Id)
	}
	return ids, nil
}

// Path is the socket the client talks to.
func (c *CRI) Path() string { return c.path }

// Close closes the connection.
func (c *CRI) Close() error { return c.conn.Close() }

// Version asks the runtime for its name and versions; it is the cheapest
// proof that the socket serves CRI v1.
func (c *CRI) Version(ctx context.Context) (Version, error) {
	r, err := c.rt.Version(ctx, &runtimeapi.VersionRequest{Version: "v1"})
	if err != nil {
		return Version{}, fmt.Errorf("cri version at %s: %w", c.path, err)
	}
	return Version{Name: r.RuntimeName, Version: r.RuntimeVersion, APIVersion: r.RuntimeApiVersion}, nil
}

// Container returns the metadata of the container (or pod sandbox) with the
// full id; its ID and FullID fields are left for the caller. It makes at
// most three calls: ContainerStatus (verbose: privileged, image id, host
// namespaces, command line and the sandbox id come from the runtime's info
// JSON), ListContainers (only when the verbose info names no sandbox) and
// PodSandboxStatus (verbose: the pod's labels, annotations, IP and CNI
// result). An id that is a pod sandbox (the pause container) yields the
// pod's fields, named after the pod.
//
// Errors wrap ErrNotFound when the runtime knows no such id, and
// ErrIncomplete (with the container's own metadata returned) when only the
// sandbox could not be read.
func (c *CRI) Container(ctx context.Context, id string) (event.Container, error) {
	resp, err := c.rt.ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{ContainerId: id, Verbose: true})
	if status.Code(err) == codes.NotFound {
		return c.sandboxContainer(ctx, id)
	}
	if err != nil {
		return event.Container{}, fmt.Errorf("cri container status %s: %w", id, err)
	}
	if resp.Status == nil {
		return event.Container{}, fmt.Errorf("cri container status %s: empty response", id)
	}
	meta, sandboxID := fromStatus(resp.Status, resp.Info)
	meta.Healthcheck = imageHealthcheck(c.contentRoot, meta.ImageID)
	if sandboxID == "" {
		if sandboxID, err = c.sandboxOf(ctx, id); err != nil {
			return meta, fmt.Errorf("%w: %w", ErrIncomplete, err)
		}
	}
	sb, err := c.rt.PodSandboxStatus(ctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: sandboxID, Verbose: true})
	if err != nil {
		return meta, fmt.Errorf("%w: cri pod sandbox status %s: %w", ErrIncomplete, sandboxID, err)
	}
	addSandbox(&meta, sb.Status, sb.Info)
	return meta, nil
}

func (c *CRI) sandboxContainer(ctx context.Context, id string) (event.Container, error) {
	sb, err := c.rt.PodSandboxStatus(ctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: id, Verbose: true})
	if status.Code(err) == codes.NotFound {
		return event.Container{}, fmt.Errorf("cri status %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return event.Container{}, fmt.Errorf("cri pod sandbox status %s: %w", id, err)
	}
	if sb.Status == nil {
		return event.Container{}, fmt.Errorf("cri pod sandbox status %s: empty response", id)
	}
	return sandboxOnly(sb.Status, sb.Info), nil
}

// sandboxOf finds a container's pod sandbox id by listing it.
func (c *CRI) sandboxOf(ctx context.Context, id string) (string, error) {
	r, err := c.rt.ListContainers(ctx, &runtimeapi.ListContainersRequest{Filter: &runtimeapi.ContainerFilter{Id: id}})
	if err != nil {
		return "", fmt.Errorf("cri list container %s: %w", id, err)
	}
	for _, ct := range r.Containers {
		if ct.Id == id && ct.PodSandboxId != "" {
			return ct.PodSandboxId, nil
		}
	}
	return "", fmt.Errorf("cri list container %s: no pod sandbox", id)
}

// IDs lists the full ids of every container and pod sandbox the runtime
// knows, running or not.
func (c *CRI) IDs(ctx context.Context) (map[string]bool, error) {
	cs, err := c.rt.ListContainers(ctx, &runtimeapi.ListContainersRequest{})
	if err != nil {
		return nil, fmt.Errorf("cri list containers: %w", err)
	}
	sbs, err := c.rt.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{})
	if err != nil {
		return nil, fmt.Errorf("cri list pod sandboxes: %w", err)
	}
	ids := make(map[string]bool, len(cs.Containers)+len(sbs.Items))
	for _, ct := range cs.Containers {
		ids[ct.Id] = true
	}
	for _, sb := range sbs.Items {
		ids[sb.Id] = true
	}
	return ids, nil
}

// unavailable reports errors that mean the runtime itself is unreachable
// (not that one id is unknown): the cache then backs off.
func unavailable(err error) bool {
	switch status.Code(err) {
	case codes.Unavailable, codes.Unimplemented:
		return true
	}
	return errors.Is(err, ErrNoRuntime)
}
