package container

import (
	"sync/atomic"
	"time"
)

// CacheOptions tune a Cache. Zero values mean the defaults stated.
type CacheOptions struct {
	// Wait bounds how long lookups block on a miss: lookups of an id whose
	// metadata is being fetched wait until Wait after that fetch started,
	// then the event goes out with what is known. So a new container costs
	// the event path at most Wait in all, however many events it makes.
	// Default 0: never wait (the fetch runs in the background and the
	// container's events carry its metadata once it has arrived, as in
	// Falco); negative means 0.
	Wait time.Duration
	// TTL is how long a container's metadata is served before it is
	// fetched again (in the background; the old metadata is served
	// meanwhile). Default 10 minutes.
	TTL time.Duration
	// NegativeTTL is how long an unknown id or a failed fetch is
	// remembered before a lookup fetches again. Default 5 s.
	NegativeTTL time.Duration
	// MaxEntries bounds the cache; the least recently used entry goes
	// first. Default 4096.
	MaxEntries int
	// FetchTimeout bounds one fetch. Default 2 s.
	FetchTimeout time.Duration
	// MaxFetches bounds concurrent fetches. Default 4.
	MaxFetches int
}

func (o CacheOptions) withDefaults() CacheOptions {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	o.Wait = max(o.Wait, 0)
	def(&o.TTL, 10*time.Minute)
	def(&o.NegativeTTL, 5*time.Second)
	def(&o.FetchTimeout, 2*time.Second)
	if o.MaxEntries <= 0 {
		o.MaxEntries = 4096
	}
	if o.MaxFetches <= 0 {
		o.MaxFetches = 4
	}
	return o
}

// maxPending bounds fetches queued for a slot; beyond it a miss starts no
// fetch (the next event for the id tries again).
const maxPending = 1024

// Metrics counts what a Cache did. Read the fields with Load.
type Metrics struct {
	Hits        atomic.Uint64 // lookups answered with metadata (after a wait or not)
	Misses      atomic.Uint64 // lookups answered false
	Timeouts    atomic.Uint64 // misses because the fetch had not ended Wait after it started
	Fetches     atomic.Uint64 // fetches started
	FetchErrors atomic.Uint64 // fetches that failed (not counting unknown ids)
	NotFound    atomic.Uint64 // fetches of ids the runtime does not know
	Evictions   atomic.Uint64 // entries dropped for size or because the container is gone
	Unavailable atomic.Uint64 // misses answered at once because the runtime is down or absent
}
