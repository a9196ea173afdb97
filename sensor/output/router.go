package output

import (
	"context"
	"fmt"
	"path"
	"sync"
	"time"
)

// Route sends the alerts of the namespaces matching any pattern (exact names
// or path.Match globs such as "team-a-*") to Outputs.
type Route struct {
	Namespaces []string
	Outputs    []string
}

// Router delivers each message to its tenant's outputs plus the cluster-wide
// ones; a namespace no route matches (and alerts without a namespace) go to
// the default outputs.
type Router struct {
	queues      map[string]*queue
	order       []string
	routes      []Route
	clusterWide []string
	defaults    []string
	wg          sync.WaitGroup
	stop        chan struct{}
	once        sync.Once
}

// RouterConfig is the routing table and queueing knobs.
type RouterConfig struct {
	Routes      []Route
	ClusterWide []string // outputs that receive every alert
	Default     []string // outputs for alerts no route matches
	// QueueSize bounds each output's queue. Default 1024.
	QueueSize int
	// Retries per message after the first try. Default 3.
	Retries int
	// Backoff caps the wait before the first retry; the cap doubles each
	// retry up to 30s, and the wait is uniform below it (internal/retry's
	// policy). Default 200ms.
	Backoff time.Duration
}

// NewRouter checks the configuration against the named sinks.
func NewRouter(sinks map[string]Sink, cfg RouterConfig) (*Router, error) {
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = 1024
	}
	if cfg.Retries < 0 {
		cfg.Retries = 0
	} else if cfg.Retries == 0 {
		cfg.Retries = 3
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 200 * time.Millisecond
	}
	r := &Router{queues: map[string]*queue{}, routes: cfg.Routes, clusterWide: cfg.ClusterWide, defaults: cfg.Default}
	for name, s := range sinks {
		r.queues[name] = newQueue(name, s, cfg.QueueSize, cfg.Retries, cfg.Backoff)
		r.order = append(r.order, name)
	}
	check := func(where string, names []string) error {
		for _, n := range names {
			if _, ok := r.queues[n]; !ok {
				return fmt.Errorf("routing: %s names unknown output %q", where, n)
			}
		}
		return nil
	}
	for i, rt := range cfg.Routes {
		for _, p := range rt.Namespaces {
			if _, err := path.Match(p, ""); err != nil {
				return nil, fmt.Errorf("routing: route %d: bad namespace pattern %q: %w", i+1, p, err)
			}
		}
		if err := check(fmt.Sprintf("route %d", i+1), rt.Outputs); err != nil {
			return nil, err
		}
	}
	if err := check("cluster_wide", cfg.ClusterWide); err != nil {
		return nil, err
	}
	if err := check("default", cfg.Default); err != nil {
		return nil, err
	}
	return r, nil
}

// Start runs the delivery goroutines until ctx ends or Close.
func (r *Router) Start(ctx context.Context) {
	r.stop = make(chan struct{})
	for _, q := range r.queues {
		r.wg.Add(1)
		go q.run(r.stop, &r.wg)
	}
	go func() {
		select {
		case <-ctx.Done():
			r.Close()
		case <-r.stop:
		}
	}()
}

// Close stops delivery after a short drain of what is queued.
func (r *Router) Close() {
	r.once.Do(func() {
		if r.stop != nil {
			close(r.stop)
		}
	})
	r.wg.Wait()
}

// Targets returns the outputs that a message for namespace goes to.
func (r *Router) Targets(namespace string) []string {
	var out []string
	matched := false
	if namespace != "" {
		for _, rt := range r.routes {
			if matchAny(rt.Namespaces, namespace) {
				out = append(out, rt.Outputs...)
				matched = true
			}
		}
	}
	if !matched {
		out = append(out, r.defaults...)
	}
	out = append(out, r.clusterWide...)
	return dedupe(out)
}

// Deliver enqueues m on each of its targets without blocking.
func (r *Router) Deliver(m Message) {
	for _, name := range r.Targets(m.Namespace) {
		r.queues[name].offer(m)
	}
}

// Stats returns each output's counters.
func (r *Router) Stats() map[string]Stats {
	out := make(map[string]Stats, len(r.queues))
	for n, q := range r.queues {
		out[n] = q.stats()
	}
	return out
}

func matchAny(patterns []string, ns string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(p, ns); ok {
			return true
		}
	}
	return false
}

func dedupe(s []string) []string {
	seen := make(map[string]bool, len(s))
	out := s[:0]
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
