package syscall_test

import (
	"context"
	"fmt"
	"net"
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
