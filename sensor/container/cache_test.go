package container

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/event"
)

// newTestCache serves rt on a fresh socket and returns a CRI cache on it.
func newTestCache(t *testing.T, rt *fakeRuntime, opts CRIOptions) (*Cache, string, func()) {
	t.Helper()
	path := socketPath(t)
	stop := serve(t, path, rt)
	opts.HostRoot, opts.Sockets = filepath.Dir(path), []string{"/" + filepath.Base(path)}
	k := NewCRICache(context.Background(), opts)
	t.Cleanup(func() {
		if err := k.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	if err := k.Err(); err != nil {
		t.Fatalf("Err = %v", err)
	}
	return k, path, stop
}

// eventually polls cond every 10 ms until it holds (testutil.Patience at most).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(testutil.Patience); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestCacheLookup(t *testing.T) {
	rt := newTenantRuntime(t)
	k, path, _ := newTestCache(t, rt, CRIOptions{CacheOptions: CacheOptions{Wait: 5 * time.Second}})
	if want := "containerd v1.7.24 (CRI v1) at " + path; k.Runtime() != want {
		t.Errorf("Runtime = %q, want %q", k.Runtime(), want)
	}
	want := webWant("docker.io/library/nginx:1.25.3", "docker.io/library/nginx", "1.25.3", true, true)
	want.ID = webID[:12]
	for i := range 3 {
		c := event.Container{ID: webID[:12], PodUID: podUIDA}
		if !k.Lookup(webID, &c) {
			t.Fatalf("lookup %d missed", i)
		}
		if d := cmp.Diff(want, c); d != "" {
			t.Fatalf("lookup %d (-want +got):\n%s", i, d)
		}
	}
	if n := rt.calls.Load(); n != 1 {
		t.Errorf("ContainerStatus called %d times, want 1", n)
	}
	m := k.Metrics()
	if m.Hits.Load() != 3 || m.Misses.Load() != 0 || m.Fetches.Load() != 1 {
		t.Errorf("hits %d misses %d fetches %d, want 3 0 1", m.Hits.Load(), m.Misses.Load(), m.Fetches.Load())
	}
}

// A slow runtime: lookups give up after Wait, share one fetch, and a later
// lookup hits once the fetch is done.
func TestCacheBoundedWait(t *testing.T) {
	rt := newTenantRuntime(t)
	gate := make(chan struct{})
	rt.setGate(gate) // ContainerStatus answers only once gate closes
	k, _, _ := newTestCache(t, rt, CRIOptions{CacheOptions: CacheOptions{Wait: 20 * time.Millisecond}})

	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			c := event.Container{ID: webID[:12]}
			if k.Lookup(webID, &c) {
				t.Error("lookup hit while the runtime had not answered")
			}
			if !cmp.Equal(c, event.Container{ID: webID[:12]}) {
				t.Errorf("a missed lookup changed the container: %+v", c)
			}
		})
	}
	wg.Wait()
	if n := rt.calls.Load(); n != 1 {
		t.Errorf("ContainerStatus called %d times, want 1 (shared fetch)", n)
	}
	if m := k.Metrics(); m.Timeouts.Load() != 8 || m.Misses.Load() != 8 {
		t.Errorf("timeouts %d misses %d, want 8 8", m.Timeouts.Load(), m.Misses.Load())
	}
	time.Sleep(30 * time.Millisecond) // past Wait: later lookups do not wait at all
	start := time.Now()
	if k.Lookup(webID, &event.Container{}) {
		t.Error("lookup hit while the runtime had not answered")
	}
	t.Logf("a lookup past the fetch's wait returned after %v", time.Since(start))
	close(gate)
	eventually(t, "a hit after the fetch", func() bool {
		var c event.Container
		return k.Lookup(webID, &c) && c.Namespace == "tenant-a"
	})
}

// By default lookups never wait: events of a container the runtime has
// not described yet go out with what they carry (the id and what the
// cgroup tells), and those after the answer get the metadata.
func TestCacheNeverWaitsByDefault(t *testing.T) {
	rt := newTenantRuntime(t)
	gate := make(chan struct{})
	rt.setGate(gate)
	k, _, _ := newTestCache(t, rt, CRIOptions{})
	for range 100 {
		c := event.Container{ID: webID[:12], FullID: webID, Type: "containerd", PodUID: podUIDA}
		if k.Lookup(webID, &c) {
			t.Fatal("lookup hit while the runtime had not answered")
		}
		if c.PodUID != podUIDA || c.Type != "containerd" || c.FullID != webID {
			t.Fatalf("a missed lookup changed what the event knew: %+v", c)
		}
	}
	if m := k.Metrics(); m.Fetches.Load() != 1 || m.Timeouts.Load() != 0 || m.Misses.Load() != 100 {
		t.Errorf("fetches %d, timeouts %d, misses %d; want 1 0 100", m.Fetches.Load(), m.Timeouts.Load(), m.Misses.Load())
	}
	close(gate)
	eventually(t, "the metadata once the runtime answered", func() bool {
		c := event.Container{ID: webID[:12], FullID: webID, Type: "containerd"}
		return k.Lookup(webID, &c) && c.Namespace == "tenant-a" && c.FullID == webID && c.ID == webID[:12] && c.Type == "containerd"
	})
}

// TestCacheNegative: an unknown id is asked for once per NegativeTTL. The
// TTL is a second (not less) so that the five lookups, which must fall
// within it, do so on a machine at load 30 too.
func TestCacheNegative(t *testing.T) {
	const ttl = time.Second
	rt := newTenantRuntime(t)
	k, _, _ := newTestCache(t, rt, CRIOptions{CacheOptions: CacheOptions{Wait: 5 * time.Second, NegativeTTL: ttl}})
	var c event.Container
	for range 5 {
		if k.Lookup(unknownID, &c) {
			t.Fatal("unknown id hit")
		}
	}
	if n := rt.calls.Load(); n != 1 {
		t.Errorf("ContainerStatus called %d times within the negative TTL, want 1", n)
	}
	if m := k.Metrics(); m.NotFound.Load() != 1 || m.FetchErrors.Load() != 0 {
		t.Errorf("not found %d fetch errors %d, want 1 0", m.NotFound.Load(), m.FetchErrors.Load())
	}
	time.Sleep(ttl + 50*time.Millisecond)
	k.Lookup(unknownID, &c)
	if n := rt.calls.Load(); n != 2 {
		t.Errorf("ContainerStatus called %d times after the negative TTL, want 2", n)
	}
}

func TestCacheSocketAbsent(t *testing.T) {
	path := socketPath(t)
	opts := CRIOptions{HostRoot: filepath.Dir(path), Sockets: []string{"/" + filepath.Base(path), "/crio.sock"},
		CacheOptions: CacheOptions{Wait: 5 * time.Second}}
	k := NewCRICache(context.Background(), opts)
	defer k.Close()
	err := k.Err()
	if !errors.Is(err, ErrNoRuntime) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Err = %v, want ErrNoRuntime naming %s", err, path)
	}
	t.Logf("Err: %v", err)
	start := time.Now()
	var c event.Container
	for range 1000 {
		if k.Lookup(webID, &c) {
			t.Fatal("hit without a runtime")
		}
	}
	t.Logf("1000 lookups without a runtime: %v", time.Since(start))
	if m := k.Metrics(); m.Unavailable.Load() != 1000 || m.Fetches.Load() != 0 {
		t.Errorf("unavailable %d fetches %d, want 1000 0", m.Unavailable.Load(), m.Fetches.Load())
	}

	serve(t, path, newTenantRuntime(t)) // the runtime comes up later
	eventually(t, "the runtime to be found", func() bool { return k.Err() == nil })
	if !k.Lookup(webID, &c) || c.PodName != "web-7d9f8c6b5-x2x7k" {
		t.Fatalf("lookup after the runtime came up: %+v", c)
	}
}

func TestCacheServerRestart(t *testing.T) {
	rt := newTenantRuntime(t)
	k, path, stop := newTestCache(t, rt, CRIOptions{CacheOptions: CacheOptions{Wait: 5 * time.Second, NegativeTTL: 50 * time.Millisecond}})
	var c event.Container
	if !k.Lookup(webID, &c) {
		t.Fatal("first lookup missed")
	}
	stop()
	if k.Lookup(apiID, &c) {
		t.Fatal("lookup hit with the runtime stopped")
	}
	if k.Err() == nil || k.Metrics().FetchErrors.Load() == 0 {
		t.Errorf("Err = %v, fetch errors %d; want the outage recorded", k.Err(), k.Metrics().FetchErrors.Load())
	}
	if !k.Lookup(webID, &c) {
		t.Error("cached container missed while the runtime is down")
	}
	serve(t, path, rt)
	eventually(t, "a hit after the restart", func() bool {
		var c event.Container
		return k.Lookup(apiID, &c) && c.Namespace == "tenant-b"
	})
	if k.Err() != nil {
		t.Errorf("Err after restart = %v", k.Err())
	}
}

func TestCacheEviction(t *testing.T) {
	rt := newTenantRuntime(t)
	k, _, _ := newTestCache(t, rt, CRIOptions{Sweep: 50 * time.Millisecond,
		CacheOptions: CacheOptions{Wait: 5 * time.Second, MaxEntries: 3}})
	var c event.Container
	for _, id := range []string{webID, digestID, refID, apiID} {
		if !k.Lookup(id, &c) {
			t.Fatalf("lookup %s missed", id)
		}
	}
	if n := k.Len(); n != 3 {
		t.Errorf("Len = %d after 4 lookups with MaxEntries 3", n)
	}
	rt.removeContainer(apiID)
	eventually(t, "the sweep to drop a removed container", func() bool { return k.Len() == 2 })
	if m := k.Metrics(); m.Evictions.Load() != 2 {
		t.Errorf("evictions %d, want 2", m.Evictions.Load())
	}
}

func TestCacheRefresh(t *testing.T) {
	rt := newTenantRuntime(t)
	k, _, _ := newTestCache(t, rt, CRIOptions{CacheOptions: CacheOptions{Wait: 5 * time.Second, TTL: 50 * time.Millisecond}})
	var c event.Container
	if !k.Lookup(webID, &c) || c.ImageTag != "1.25.3" {
		t.Fatalf("first lookup: %+v", c)
	}
	rt.addContainer(fakeContainer{status: webStatus(webID, "docker.io/library/nginx:1.27.0", nginxRef),
		info: readInfo(t, "containerd-info.json"), sandboxID: webPodID})
	time.Sleep(60 * time.Millisecond)
	eventually(t, "the refreshed image", func() bool {
		return k.Lookup(webID, &c) && c.ImageTag == "1.27.0"
	})
	if m := k.Metrics(); m.Misses.Load() != 0 {
		t.Errorf("misses %d during refresh, want 0 (stale metadata is served)", m.Misses.Load())
	}
}

func TestCacheCloseWithFetchInFlight(t *testing.T) {
	rt := newTenantRuntime(t)
	rt.setGate(make(chan struct{})) // never answers
	path := socketPath(t)
	serve(t, path, rt)
	k := NewCRICache(context.Background(), CRIOptions{HostRoot: filepath.Dir(path), Sockets: []string{"/" + filepath.Base(path)},
		CacheOptions: CacheOptions{Wait: -1, FetchTimeout: time.Hour}})
	var c event.Container
	if k.Lookup(webID, &c) {
		t.Fatal("hit")
	}
	eventually(t, "the fetch to reach the runtime", func() bool { return rt.calls.Load() == 1 })
	if err := k.Close(); err != nil {
		t.Fatal(err)
	}
	if k.Lookup(webID, &c) {
		t.Fatal("hit after Close")
	}
}

func BenchmarkCacheHit(b *testing.B) {
	k := NewCache(staticSource{}, CacheOptions{Wait: time.Second})
	defer k.Close()
	var c event.Container
	k.Lookup(webID, &c)
	b.ReportAllocs()
	for b.Loop() {
		c = event.Container{ID: "0123456789ab"}
		k.Lookup(webID, &c)
	}
}

type staticSource struct{}

func (staticSource) Container(context.Context, string) (event.Container, error) {
	return event.Container{Name: "web", Namespace: "tenant-a"}, nil
}
