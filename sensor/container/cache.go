package container

import (
	"container/list"
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/probehub/probehub/sensor/event"
)

// Source fetches container metadata by full id: a CRI runtime, in
// production. Container's errors wrap ErrNotFound for unknown ids and
// ErrIncomplete when a partial result is returned.
type Source interface {
	Container(ctx context.Context, id string) (event.Container, error)
}

// Cache keeps container metadata by full container id in front of a Source
// and implements the agent's ContainerMetadata: Lookup never blocks longer
// than CacheOptions.Wait (by default, not at all). Close it to stop its
// goroutines.
type Cache struct {
	src Source
	opt CacheOptions
	m   Metrics

	mu      sync.Mutex
	entries map[string]*entry
	lru     *list.List // of *entry, most recent first
	pending int

	sem    chan struct{}
	down   atomic.Pointer[outage]
	errs   int // consecutive unavailable fetch errors, under mu
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	closer func() error
}

type entry struct {
	id       string
	meta     event.Container
	ok       bool          // meta is valid
	expires  time.Time     // refetch after
	fetching bool          // a fetch is under way
	done     chan struct{} // closed when that fetch ends
	deadline time.Time     // lookups wait for the fetch until then
	elem     *list.Element
}

// outage is why lookups return false at once, until when.
type outage struct {
	err   error
	until time.Time // zero: until cleared
}

// NewCache returns a cache in front of src. Close it when done.
func NewCache(src Source, opts CacheOptions) *Cache {
	ctx, cancel := context.WithCancel(context.Background())
	opts = opts.withDefaults()
	return &Cache{src: src, opt: opts, entries: map[string]*entry{}, lru: list.New(),
		sem: make(chan struct{}, opts.MaxFetches), ctx: ctx, cancel: cancel}
}

// Metrics returns the cache's live counters.
func (k *Cache) Metrics() *Metrics { return &k.m }

// Len is the number of cached ids, known or not.
func (k *Cache) Len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.entries)
}

// Err says why lookups currently return false at once (the runtime is
// absent or unreachable), or nil. Errors wrap ErrNoRuntime when no runtime
// socket answers.
func (k *Cache) Err() error {
	if o := k.down.Load(); o != nil && (o.until.IsZero() || time.Now().Before(o.until)) {
		return o.err
	}
	return nil
}

// Close stops background work, abandons fetches in flight and closes the
// source's connection.
func (k *Cache) Close() error {
	k.cancel()
	k.wg.Wait()
	if k.closer != nil {
		return k.closer()
	}
	return nil
}

// Lookup fills c (keeping c.ID) with the metadata of the container with
// the full id and reports whether any was known. On a miss it starts one
// fetch for the id (concurrent lookups share it) and waits at most
// CacheOptions.Wait for it. The Mounts and PodLabels it sets are shared:
// callers must not modify them.
func (k *Cache) Lookup(id string, c *event.Container) bool {
	now := time.Now()
	k.mu.Lock()
	e := k.entries[id]
	switch {
	case e != nil && e.ok:
		if now.After(e.expires) {
			k.startFetch(e) // refresh in the background, serve what we have
		}
		k.lru.MoveToFront(e.elem)
		fill(c, e.meta)
		k.mu.Unlock()
		k.m.Hits.Add(1)
		return true
	case e != nil && !e.fetching && now.Before(e.expires):
		k.mu.Unlock()
		k.m.Misses.Add(1)
		return false
	case k.Err() != nil:
		k.mu.Unlock()
		k.m.Unavailable.Add(1)
		k.m.Misses.Add(1)
		return false
	}
	if e == nil {
		e = &entry{id: id}
		e.elem = k.lru.PushFront(e)
		k.entries[id] = e
	}
	started := e.fetching || k.startFetch(e)
	k.trim()
	if !started {
		k.mu.Unlock()
		k.m.Misses.Add(1)
		return false
	}
	done, wait := e.done, e.deadline.Sub(now)
	k.mu.Unlock()
	return k.await(e, done, wait, c)
}

// await waits for e's fetch until its deadline: every lookup of an id
// being fetched waits at most Wait, and all of them together wait at most
// Wait per fetch, so a slow runtime cannot stall the event path.
func (k *Cache) await(e *entry, done <-chan struct{}, wait time.Duration, c *event.Container) bool {
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-done:
			k.mu.Lock()
			ok, meta := e.ok, e.meta
			k.mu.Unlock()
			if ok {
				fill(c, meta)
				k.m.Hits.Add(1)
				return true
			}
			k.m.Misses.Add(1)
			return false
		case <-t.C:
		}
	}
	if k.opt.Wait > 0 {
		k.m.Timeouts.Add(1)
	}
	k.m.Misses.Add(1)
	return false
}

// fill copies m into c, keeping c's identity (ID, FullID) and what c knew
// that m lacks (the cgroup's runtime and pod UID).
func fill(c *event.Container, m event.Container) {
	id, full, typ, uid := c.ID, c.FullID, c.Type, c.PodUID
	*c = m
	c.ID, c.FullID = id, full
	if c.Type == "" {
		c.Type = typ
	}
	if c.PodUID == "" {
		c.PodUID = uid
	}
}

// startFetch starts e's fetch unless too many are queued. Called with mu.
func (k *Cache) startFetch(e *entry) bool {
	if e.fetching {
		return true
	}
	if k.pending >= maxPending || k.ctx.Err() != nil {
		return false
	}
	e.fetching, e.done = true, make(chan struct{})
	e.deadline = time.Now().Add(k.opt.Wait)
	k.pending++
	k.m.Fetches.Add(1)
	k.wg.Add(1)
	go k.fetch(e)
	return true
}

func (k *Cache) fetch(e *entry) {
	defer k.wg.Done()
	var meta event.Container
	err := k.ctx.Err()
	select {
	case k.sem <- struct{}{}:
		ctx, cancel := context.WithTimeout(k.ctx, k.opt.FetchTimeout)
		meta, err = k.src.Container(ctx, e.id)
		cancel()
		<-k.sem
	case <-k.ctx.Done():
	}
	k.finish(e, meta, err)
}

// finish records a fetch's result in e and wakes its waiters.
func (k *Cache) finish(e *entry, meta event.Container, err error) {
	now := time.Now()
	k.mu.Lock()
	defer k.mu.Unlock()
	defer close(e.done)
	e.fetching = false
	k.pending--
	switch {
	case err == nil:
		e.meta, e.ok, e.expires = meta, true, now.Add(k.opt.TTL)
	case errors.Is(err, ErrIncomplete):
		e.meta, e.ok, e.expires = meta, true, now.Add(k.opt.NegativeTTL)
	case errors.Is(err, ErrNotFound):
		e.meta, e.ok, e.expires = event.Container{}, false, now.Add(k.opt.NegativeTTL)
	default: // keep metadata already known; retry later
		e.expires = now.Add(k.opt.NegativeTTL)
	}
	k.account(err)
}

// account counts a fetch's outcome and backs off while the runtime is
// unreachable: 250 ms doubling to 30 s. Called with mu.
func (k *Cache) account(err error) {
	switch {
	case err == nil || errors.Is(err, ErrIncomplete):
		if errors.Is(err, ErrIncomplete) {
			k.m.FetchErrors.Add(1)
		}
		k.errs = 0
		if o := k.down.Load(); o != nil && !o.until.IsZero() {
			k.down.CompareAndSwap(o, nil)
		}
	case errors.Is(err, ErrNotFound):
		k.m.NotFound.Add(1)
		k.errs = 0
	default:
		k.m.FetchErrors.Add(1)
		if !unavailable(err) {
			return
		}
		d := min(250*time.Millisecond<<min(k.errs, 7), 30*time.Second)
		k.errs++
		if o := k.down.Load(); o == nil || !o.until.IsZero() {
			k.down.Store(&outage{err: err, until: time.Now().Add(d)})
		}
	}
}

// trim evicts least recently used entries beyond MaxEntries, skipping
// those being fetched. Called with mu.
func (k *Cache) trim() {
	for el := k.lru.Back(); el != nil && len(k.entries) > k.opt.MaxEntries; {
		prev := el.Prev()
		if e := el.Value.(*entry); !e.fetching {
			k.remove(e)
		}
		el = prev
	}
}

// remove drops e. Called with mu.
func (k *Cache) remove(e *entry) {
	k.lru.Remove(e.elem)
	delete(k.entries, e.id)
	k.m.Evictions.Add(1)
}

// Prune drops the metadata of containers not in alive (the ids the runtime
// still lists); unknown-id entries age out by NegativeTTL instead.
func (k *Cache) Prune(alive map[string]bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for id, e := range k.entries {
		if e.ok && !e.fetching && !alive[id] {
			k.remove(e)
		}
	}
}
