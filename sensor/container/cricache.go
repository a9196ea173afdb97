package container

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/probehub/probehub/internal/retry"
	"github.com/probehub/probehub/sensor/event"
)

// ErrNoRuntime means no CRI runtime answers on any of the sockets tried.
var ErrNoRuntime = errors.New("no CRI runtime")

// DefaultSockets are the CRI sockets tried, in order, as seen from the
// host: containerd's, then CRI-O's.
var DefaultSockets = []string{"/run/containerd/containerd.sock", "/var/run/crio/crio.sock"}

// CRIOptions configure NewCRICache. Zero values mean the defaults stated.
type CRIOptions struct {
	// HostRoot is where the host's / is visible (a DaemonSet mounts it at
	// /host). Default "/".
	HostRoot string
	// Sockets are the host paths of CRI sockets to try, in order, each
	// under HostRoot; the first that answers is used. Default
	// DefaultSockets.
	Sockets []string
	// Sweep is how often the runtime's container list is read to drop the
	// metadata of containers that are gone, and, while no runtime answers,
	// the longest wait between attempts to find one (internal/retry's
	// policy: capped at 1 s, then 2 s, 4 s, … up to Sweep, with full
	// jitter). Default 30 s.
	Sweep time.Duration
	// ContainerdRoot is containerd's root as seen from the host, where
	// image configs give container.healthcheck; under HostRoot. Default
	// DefaultContainerdRoot.
	ContainerdRoot string
	CacheOptions
}

// NewCRICache returns a cache fed by the first CRI runtime that answers
// Version on opts.Sockets. It tries once before returning (bounded by ctx
// and FetchTimeout); when none answers, the cache is still returned and
// usable: Err wraps ErrNoRuntime and names the sockets tried, lookups
// return false at once, and the search goes on in the background with
// backoff until one answers. Close the cache when done.
func NewCRICache(ctx context.Context, opts CRIOptions) *Cache {
	if opts.HostRoot == "" {
		opts.HostRoot = "/"
	}
	if len(opts.Sockets) == 0 {
		opts.Sockets = DefaultSockets
	}
	if opts.Sweep <= 0 {
		opts.Sweep = 30 * time.Second
	}
	if opts.ContainerdRoot == "" {
		opts.ContainerdRoot = DefaultContainerdRoot
	}
	src := &criSource{contentRoot: filepath.Join(opts.HostRoot, opts.ContainerdRoot)}
	for _, s := range opts.Sockets {
		src.paths = append(src.paths, filepath.Join(opts.HostRoot, s))
	}
	k := NewCache(src, opts.CacheOptions)
	k.closer = src.close
	src.connect(ctx, k)
	k.wg.Add(1)
	go src.run(k, opts.Sweep)
	return k
}

// Runtime describes the runtime in use ("containerd 1.6.20 (CRI v1) at
// /run/containerd/containerd.sock"), or "" when none answers.
func (k *Cache) Runtime() string {
	if s, ok := k.src.(*criSource); ok {
		if d := s.desc.Load(); d != nil {
			return *d
		}
	}
	return ""
}

// criSource finds the runtime socket and keeps one client to it.
type criSource struct {
	paths       []string
	contentRoot string
	cli         atomic.Pointer[CRI]
	desc        atomic.Pointer[string]
}

func (s *criSource) Container(ctx context.Context, id string) (event.Container, error) {
	c := s.cli.Load()
	if c == nil {
		return event.Container{}, ErrNoRuntime
	}
	return c.Container(ctx, id)
}

// connect tries each socket once; on success it installs the client and
// clears the cache's outage, else it records why.
func (s *criSource) connect(ctx context.Context, k *Cache) bool {
	var tried []string
	for _, p := range s.paths {
		c, v, err := s.try(ctx, p, k.opt.FetchTimeout)
		if err != nil {
			tried = append(tried, fmt.Sprintf("%s (%v)", p, err))
			continue
		}
		desc := fmt.Sprintf("%s %s (CRI %s) at %s", v.Name, v.Version, v.APIVersion, p)
		s.desc.Store(&desc)
		s.cli.Store(c)
		k.down.Store(nil)
		return true
	}
	k.down.Store(&outage{err: fmt.Errorf("%w at %s", ErrNoRuntime, strings.Join(tried, ", "))})
	return false
}

func (s *criSource) try(ctx context.Context, path string, timeout time.Duration) (*CRI, Version, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, Version{}, errors.New("absent")
	}
	if err != nil {
		return nil, Version{}, err
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return nil, Version{}, errors.New("not a socket")
	}
	c, err := DialCRI(path)
	if err != nil {
		return nil, Version{}, err
	}
	c.SetContainerdRoot(s.contentRoot)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	v, err := c.Version(ctx)
	if err != nil {
		return nil, Version{}, errors.Join(err, c.Close())
	}
	return c, v, nil
}

// run searches for a runtime with backoff while none answers, then prunes
// the cache of gone containers every sweep.
func (s *criSource) run(k *Cache, sweep time.Duration) {
	defer k.wg.Done()
	search := retry.Backoff{Base: time.Second, Max: sweep}
	failed := 0 // connection attempts that found no runtime in a row
	for {
		wait := sweep
		if s.cli.Load() == nil {
			wait = search.Delay(failed + 1)
		}
		if retry.Sleep(k.ctx, wait) != nil {
			return
		}
		if s.cli.Load() == nil {
			if s.connect(k.ctx, k) {
				failed = 0
			} else {
				failed++
			}
			continue
		}
		s.prune(k)
	}
}

func (s *criSource) prune(k *Cache) {
	ctx, cancel := context.WithTimeout(k.ctx, k.opt.FetchTimeout)
	defer cancel()
	ids, err := s.cli.Load().IDs(ctx)
	if err != nil {
		return // the runtime may be restarting; the next sweep tries again
	}
	k.Prune(ids)
}

func (s *criSource) close() error {
	if c := s.cli.Swap(nil); c != nil {
		return c.Close()
	}
	return nil
}
