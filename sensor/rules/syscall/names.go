package syscall

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/rules"
)

// Resolver looks a host name up to its addresses; *net.Resolver satisfies
// it.
type Resolver interface {
	LookupHost(ctx context.Context, host string) ([]string, error)
}

// nameFields are the fields whose comparison values are host names to
// resolve.
var nameFields = map[string]bool{"fd.cip.name": true, "fd.sip.name": true, "fd.lip.name": true, "fd.rip.name": true}

// nameTable maps addresses to the host names the rules compare fd.*.name
// with, as Falco does: the names come from the loaded rules, are resolved
// when first needed and refreshed periodically, and an address matches a
// name when the name resolved to it. Lookups never block or allocate.
type nameTable struct {
	resolver Resolver
	every    time.Duration // refresh interval
	timeout  time.Duration // bound of one background refresh

	last    atomic.Int64 // unix ns of the last refresh start; 0 never
	busy    atomic.Bool
	lastErr atomic.Pointer[error]

	mu     sync.Mutex
	names  map[string][]netip.Addr // name → last good addresses
	static map[netip.Addr][]string

	byAddr atomic.Pointer[map[netip.Addr][]string]
}

func newNameTable() *nameTable {
	t := &nameTable{resolver: net.DefaultResolver, every: DefaultNameRefresh, timeout: 10 * time.Second, names: map[string][]netip.Addr{}, static: map[netip.Addr][]string{}}
	t.publishLocked()
	return t
}

func (t *nameTable) addStatic(ip, name string) {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.static[a.Unmap()] = append(t.static[a.Unmap()], name)
	t.publishLocked()
}

// watch registers names used in rules (resolved by the next ResolveNames).
func (t *nameTable) watch(names []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, n := range names {
		if _, ok := t.names[n]; !ok && n != "" {
			t.names[n] = nil
		}
	}
}

// DefaultNameRefresh is how often the host names used in rules are
// resolved again.
const DefaultNameRefresh = 30 * time.Second

// lookup returns the names an address resolved from. When the last
// resolution is older than the refresh interval it starts one in the
// background (one at a time, bounded by the timeout); the lookup itself
// never waits for it.
func (t *nameTable) lookup(s *Source, ip string) []string {
	if now := time.Now().UnixNano(); now-t.last.Load() > int64(t.every) && t.busy.CompareAndSwap(false, true) {
		t.last.Store(now)
		go func() {
			defer t.busy.Store(false)
			ctx, cancel := context.WithTimeout(context.Background(), t.timeout)
			defer cancel()
			if err := s.ResolveNames(ctx); err != nil {
				t.lastErr.Store(&err)
			}
		}()
	}
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return nil
	}
	return (*t.byAddr.Load())[a.Unmap()]
}

// publishLocked rebuilds the address index from the names and the static
// entries.
func (t *nameTable) publishLocked() {
	m := make(map[netip.Addr][]string, len(t.static)+len(t.names))
	for a, ns := range t.static {
		m[a] = append(m[a], ns...)
	}
	for n, addrs := range t.names {
		for _, a := range addrs {
			m[a] = append(m[a], n)
		}
	}
	for a := range m {
		sort.Strings(m[a])
	}
	t.byAddr.Store(&m)
}

// WatchValues implements rules.ValueWatcher: the values compared with
// fd.*.name are host names to resolve.
func (s *Source) WatchValues(field, _ string, values []string) {
	if nameFields[field] {
		s.names.watch(values)
	}
}

// HostNames returns the host names the loaded rules compare fd.*.name
// with, sorted.
func (s *Source) HostNames() []string {
	s.names.mu.Lock()
	defer s.names.mu.Unlock()
	out := make([]string, 0, len(s.names.names))
	for n := range s.names.names {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// ResolveError is what ResolveNames returns when some host names did not
// resolve: which ones, out of how many, and each lookup's error (Unwrap).
type ResolveError struct {
	Failed []string // the names that did not resolve, sorted
	Total  int      // the names looked up
	Errs   []error  // one per failed name, in Failed's order
}

// nameShown is how many failed names the message lists.
const nameShown = 3

func (e *ResolveError) Error() string {
	shown := e.Failed[:min(len(e.Failed), nameShown)]
	msg := fmt.Sprintf("%d of %d host names not resolved (%s", len(e.Failed), e.Total, strings.Join(shown, ", "))
	if more := len(e.Failed) - len(shown); more > 0 {
		msg += fmt.Sprintf(" and %d more", more)
	}
	return msg + "): " + e.Errs[0].Error()
}

// Unwrap returns each failed lookup's error.
func (e *ResolveError) Unwrap() []error { return e.Errs }

// resolveWorkers bounds the lookups in flight at once: a rules file can
// name dozens of hosts (the mining pools of the stable rules), and a DNS
// server that does not answer makes each wait for its timeout.
const resolveWorkers = 8

// ResolveNames resolves every host name the rules use, now, several at a
// time, and publishes the result. A name that fails keeps its previous
// addresses; the error is a *ResolveError naming the failures (each
// wraps the resolver's error). Each lookup is bounded by ctx.
func (s *Source) ResolveNames(ctx context.Context) error {
	t := s.names
	t.last.Store(time.Now().UnixNano())
	names := s.HostNames()
	addrs := make([][]netip.Addr, len(names))
	errs := make([]error, len(names))
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(resolveWorkers, len(names)) {
		wg.Go(func() {
			for i := range work {
				found, err := t.resolver.LookupHost(ctx, names[i])
				if err != nil {
					errs[i] = fmt.Errorf("resolve %s: %w", names[i], err)
					continue
				}
				for _, a := range found {
					if ip, err := netip.ParseAddr(a); err == nil {
						addrs[i] = append(addrs[i], ip.Unmap())
					}
				}
			}
		})
	}
	for i := range names {
		work <- i
	}
	close(work)
	wg.Wait()
	rerr := &ResolveError{Total: len(names)}
	t.mu.Lock()
	for i, n := range names {
		if errs[i] != nil {
			rerr.Failed = append(rerr.Failed, n)
			rerr.Errs = append(rerr.Errs, errs[i])
			continue
		}
		t.names[n] = addrs[i]
	}
	t.publishLocked()
	t.mu.Unlock()
	if len(rerr.Failed) > 0 {
		return rerr
	}
	return nil
}

// NameError returns the error of the last background resolution that
// failed (nil if none has).
func (s *Source) NameError() error {
	if p := s.names.lastErr.Load(); p != nil {
		return *p
	}
	return nil
}

// nameField binds fd.cip.name and friends: the names the end's address
// resolved from (a list: a comparison is true when one name matches).
func nameField(end func(e *event.Event, fd *event.FD) string) fieldDef {
	return fieldDef{kind: rules.KindString, bind: func(s *Source, _ string) (rules.Accessor, rules.Kind, error) {
		return func(v any) (rules.Value, bool) {
			e := ev(v)
			if e == nil || e.FD == nil || !isSock(e.FD) {
				return rules.Value{}, false
			}
			ip := end(e, e.FD)
			if ip == "" {
				return rules.Value{}, false
			}
			ns := s.names.lookup(s, ip)
			if len(ns) == 0 {
				return rules.Value{}, false
			}
			return rules.Value{List: ns}, true
		}, rules.KindString, nil
	}}
}
