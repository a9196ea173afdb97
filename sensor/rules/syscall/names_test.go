package syscall_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/rules"
	"github.com/probehub/probehub/sensor/rules/syscall"
)

// fakeResolver answers from a table that tests change.
type fakeResolver struct {
	mu    sync.Mutex
	table map[string][]string
	calls atomic.Int64
}

func (f *fakeResolver) LookupHost(_ context.Context, host string) ([]string, error) {
	f.calls.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	if a, ok := f.table[host]; ok {
		return a, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func (f *fakeResolver) set(host string, addrs ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.table[host] = addrs
}

const nameRule = `
- rule: to metadata
  desc: t
  condition: evt.type = connect and fd.sip.name in (metadata.example, localhost)
  output: "%fd.sip.name %fd.sip"
  priority: WARNING
`

func connectTo(ip string) *event.Event {
	return &event.Event{Type: event.TypeConnect, Time: time.Unix(1, 0),
		FD: &event.FD{Num: 3, Type: '4', L4Proto: "tcp", CIP: "10.0.0.5", CPort: 40000, SIP: ip, SPort: 80, Connected: true}}
}

func nameEngine(t *testing.T, src *syscall.Source) *rules.Engine {
	t.Helper()
	e, err := rules.New(rules.WithSource(src))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Load(rules.File{Name: "names.yaml", Data: []byte(nameRule)}); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestHostNamesResolved: the names a rule compares fd.sip.name with are
// resolved, and an address matches the name it resolved from; a refresh
// replaces the addresses.
func TestHostNamesResolved(t *testing.T) {
	r := &fakeResolver{table: map[string][]string{"metadata.example": {"169.254.169.254"}}}
	src := syscall.New(syscall.WithResolver(r), syscall.WithNameRefresh(time.Hour))
	e := nameEngine(t, src)
	if got := fmt.Sprint(src.HostNames()); got != "[localhost metadata.example]" {
		t.Fatalf("host names = %s", got)
	}
	if err := src.ResolveNames(context.Background()); err == nil {
		t.Error("ResolveNames: no error for localhost, which the fake does not know")
	}
	if n := len(e.Process("syscall", connectTo("169.254.169.254"))); n != 1 {
		t.Errorf("connect to the resolved address: %d alerts, want 1", n)
	}
	if n := len(e.Process("syscall", connectTo("169.254.169.253"))); n != 0 {
		t.Errorf("near miss (another address): %d alerts, want 0", n)
	}
	r.set("metadata.example", "192.0.2.7")
	if err := src.ResolveNames(context.Background()); err == nil {
		t.Error("want the localhost error again")
	}
	if n := len(e.Process("syscall", connectTo("169.254.169.254"))); n != 0 {
		t.Errorf("after the refresh the old address still matches")
	}
	if n := len(e.Process("syscall", connectTo("192.0.2.7"))); n != 1 {
		t.Errorf("after the refresh the new address does not match")
	}
}

// TestHostNamesBackgroundRefresh: a lookup after the refresh interval
// starts a resolution in the background.
func TestHostNamesBackgroundRefresh(t *testing.T) {
	r := &fakeResolver{table: map[string][]string{"metadata.example": {"169.254.169.254"}, "localhost": {"127.0.0.1"}}}
	src := syscall.New(syscall.WithResolver(r), syscall.WithNameRefresh(time.Nanosecond))
	e := nameEngine(t, src)
	deadline := time.Now().Add(testutil.Patience)
	for i := 0; ; i++ {
		if len(e.Process("syscall", connectTo("169.254.169.254"))) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no background resolution after %d lookups (%d resolver calls)", i, r.calls.Load())
		}
		time.Sleep(time.Millisecond)
	}
}

// TestHostNamesRealLocalhost resolves localhost with the real resolver
// (the host's /etc/hosts).
func TestHostNamesRealLocalhost(t *testing.T) {
	src := syscall.New()
	e := nameEngine(t, src)
	addrs, err := net.DefaultResolver.LookupHost(context.Background(), "localhost")
	if err != nil || len(addrs) == 0 {
		t.Fatalf("resolve localhost: %v", err)
	}
	_ = src.ResolveNames(context.Background()) // metadata.example does not resolve
	for _, a := range addrs {
		if n := len(e.Process("syscall", connectTo(a))); n != 1 {
			t.Errorf("connect to %s (localhost): %d alerts, want 1", a, n)
		}
	}
	if n := len(e.Process("syscall", connectTo("192.0.2.1"))); n != 0 {
		t.Errorf("connect to 192.0.2.1: %d alerts, want 0", n)
	}
}

// gateResolver fails every lookup, but only once want lookups are in
// flight together (or the context ends): it shows the lookups overlap.
type gateResolver struct {
	want    int
	mu      sync.Mutex
	waiting int
	open    chan struct{}
	peak    atomic.Int64
}

func (g *gateResolver) LookupHost(ctx context.Context, host string) ([]string, error) {
	g.mu.Lock()
	g.waiting++
	if int64(g.waiting) > g.peak.Load() {
		g.peak.Store(int64(g.waiting))
	}
	if g.waiting == g.want {
		close(g.open)
	}
	g.mu.Unlock()
	select {
	case <-g.open:
	case <-ctx.Done():
	}
	return nil, &net.DNSError{Err: "i/o timeout", Name: host, IsTimeout: true}
}

// TestResolveNamesSummary: with a DNS server that does not answer, the
// rules' host names are looked up several at a time (not one timeout
// after another), and the error names how many failed and which, not
// one line per name.
func TestResolveNamesSummary(t *testing.T) {
	var names []string
	for i := range 20 {
		names = append(names, fmt.Sprintf("pool%02d.example", i))
	}
	rule := fmt.Sprintf(`
- rule: pools
  desc: t
  condition: evt.type = connect and fd.sip.name in (%s)
  output: "%%fd.sip.name"
  priority: WARNING
`, strings.Join(names, ", "))
	g := &gateResolver{want: 4, open: make(chan struct{})}
	src := syscall.New(syscall.WithResolver(g), syscall.WithNameRefresh(time.Hour))
	e, err := rules.New(rules.WithSource(src))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Load(rules.File{Name: "pools.yaml", Data: []byte(rule)}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Patience)
	defer cancel()
	err = src.ResolveNames(ctx)
	if ctx.Err() != nil {
		t.Fatalf("the lookups never overlapped (at most %d at once): the gate waited for %d", g.peak.Load(), g.want)
	}
	var re *syscall.ResolveError
	if !errors.As(err, &re) {
		t.Fatalf("ResolveNames = %v, want a *ResolveError", err)
	}
	if len(re.Failed) != 20 || re.Total != 20 || len(re.Errs) != 20 {
		t.Errorf("failed %d of %d (%d errors), want 20 of 20", len(re.Failed), re.Total, len(re.Errs))
	}
	want := "20 of 20 host names not resolved (pool00.example, pool01.example, pool02.example and 17 more): resolve pool00.example: "
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error = %q, want it to start %q", err, want)
	}
	var dns *net.DNSError
	if !errors.As(err, &dns) || !dns.IsTimeout {
		t.Errorf("the resolver's error is not wrapped: %v", err)
	}
}
