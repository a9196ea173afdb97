package fetch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/probehub/probehub/internal/regtest"
	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/registry"
	"github.com/probehub/probehub/registry/sign"
	"github.com/probehub/probehub/sensor/hostinfo"
)

const testVersion = "0.1.0"

type env struct {
	reg      *regtest.Registry
	proxy    *regtest.Proxy
	store    registry.Store // through the proxy, no retries of its own
	direct   registry.Store // straight to the registry, for publishing
	verifier *sign.Verifier
	signer   *sign.Signer
	art      registry.KernelArtifact
	host     hostinfo.Host
	pub      registry.Published
}

func readFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile("../../registry/testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// newEnv publishes one signed artifact for a test host to a real registry
// behind a fault-injecting proxy.
func newEnv(tb testing.TB) *env {
	tb.Helper()
	e := &env{reg: regtest.Start(tb)}
	e.proxy = regtest.NewProxy(tb, e.reg.Addr)
	var err error
	if e.direct, err = registry.OpenRemote(e.reg.Repo("probehub/btf")); err != nil {
		tb.Fatal(err)
	}
	if e.store, err = registry.OpenRemote(e.proxy.Addr+"/probehub/btf", registry.WithoutRetries()); err != nil {
		tb.Fatal(err)
	}
	priv, _, err := sign.GenerateKey()
	if err != nil {
		tb.Fatal(err)
	}
	e.signer, _ = sign.ParseSigner(priv)
	e.verifier = e.signer.Verifier()
	e.art = registry.KernelArtifact{
		Key:          kernels.Key{Distro: "ubuntu", VersionID: "22.04", Arch: "x86_64", Release: "5.15.0-91-generic"},
		Banner:       strings.TrimRight(string(readFixture(tb, "banner.txt")), "\n"),
		ProbeVersion: testVersion, Verdict: "ok",
		BTF: readFixture(tb, "min.btf"), ProbeObject: readFixture(tb, "probe.o"),
	}
	e.host = hostinfo.Host{Key: e.art.Key, Banner: e.art.Banner}
	pubs, err := registry.Publish(context.Background(), e.direct, []registry.KernelArtifact{e.art}, registry.PublishOptions{Signer: e.signer})
	if err != nil {
		tb.Fatal(err)
	}
	e.pub = pubs[0]
	return e
}

// testDeadline bounds a fetch whose registry works (or refuses for good):
// such a fetch ends on its answer, long before this, however loaded the
// machine is; the bound only keeps a broken test from hanging.
const testDeadline = 2 * time.Minute

// opts are the options of a fetch from a working registry: the answer, not
// the deadline, ends it, so no test depends on how fast the machine is.
func (e *env) opts(tb testing.TB, cache *Cache) Options {
	return Options{ProbeVersion: testVersion, Verifier: e.verifier, Cache: cache, Arch: "amd64",
		Deadline: testDeadline, AttemptTimeout: testDeadline, Backoff: 10 * time.Millisecond}
}

// faultOpts are the options of a fetch from a registry that keeps failing:
// only the boot deadline ends it, so the deadline is short. Tests with them
// assert where the fetch ended (the cache, the error), never how long it
// took, which holds at any load.
func (e *env) faultOpts(tb testing.TB, cache *Cache) Options {
	o := e.opts(tb, cache)
	o.Deadline, o.AttemptTimeout = 1500*time.Millisecond, 500*time.Millisecond
	return o
}

func newCache(tb testing.TB) *Cache {
	tb.Helper()
	c, err := OpenCache(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func TestKernelBTFFetchesNothing(t *testing.T) {
	h := hostinfo.Host{Key: kernels.Key{Distro: "debian", VersionID: "12", Arch: "x86_64", Release: "6.1.0-18-amd64"}, Banner: "x", KernelBTF: "/sys/kernel/btf/vmlinux"}
	o, err := Fetch(context.Background(), nil, h, Options{})
	if err != nil || o.Source != SourceKernel || o.BytesPulled != 0 {
		t.Fatalf("Fetch = %+v, %v", o, err)
	}
	if s, err := o.Spec(); s != nil || err != nil {
		t.Fatalf("Spec = %v, %v; want nil, nil", s, err)
	}
}

func TestFetchFromRegistry(t *testing.T) {
	e := newEnv(t)
	o, err := Fetch(context.Background(), e.store, e.host, e.opts(t, newCache(t)))
	if err != nil {
		t.Fatal(err)
	}
	if o.Source != SourceRegistry || o.Via != "tag" || !o.Signed || !bytes.Equal(o.BTF, e.art.BTF) || o.Digest != e.pub.Digest {
		t.Fatalf("outcome = %s via %s: %s", o.Source, o.Via, o.Reason)
	}
	spec, err := o.Spec()
	if err != nil || spec == nil {
		t.Fatalf("Spec = %v, %v", spec, err)
	}
	b, _ := json.Marshal(o)
	t.Logf("%s", b)
}

func TestFetchRefusals(t *testing.T) {
	e := newEnv(t)
	_, other := newKeyPair(t)
	tests := []struct {
		desc string
		host hostinfo.Host
		opts func(Options) Options
		want error
	}{
		{"wrong banner", hostinfo.Host{Key: e.host.Key, Banner: e.host.Banner + "x"}, func(o Options) Options { return o }, registry.ErrNotFound},
		{"wrong key", e.host, func(o Options) Options { o.Verifier = other; return o }, registry.ErrBadSignature},
		{"no key", e.host, func(o Options) Options { o.Verifier = nil; return o }, registry.ErrUnsigned},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			// The refusal, not the deadline, ends the fetch: its typed
			// error, on the first attempt, with no deadline passed
			// (a slow machine stretches the attempt, never changes these).
			o, err := Fetch(context.Background(), e.store, tc.host, tc.opts(e.opts(t, nil)))
			if !errors.Is(err, ErrNoBTF) || !errors.Is(err, tc.want) || o.Source != SourceNone {
				t.Fatalf("Fetch = %v (%s), want %v", err, o.Source, tc.want)
			}
			if errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "deadline") {
				t.Errorf("Fetch = %v: a refusal ends the fetch before any deadline", err)
			}
			if o.Attempts != 1 {
				t.Errorf("%d attempts: a refusal is not retried", o.Attempts)
			}
			// Without a key nothing is requested: refused before the
			// first byte.
			if errors.Is(tc.want, registry.ErrUnsigned) && o.BytesPulled != 0 {
				t.Errorf("no key: %d bytes pulled before the refusal, want 0", o.BytesPulled)
			}
		})
	}
}

func newKeyPair(tb testing.TB) (*sign.Signer, *sign.Verifier) {
	priv, _, _ := sign.GenerateKey()
	s, _ := sign.ParseSigner(priv)
	return s, s.Verifier()
}

// TestRegistryFaultsFallBackToCache: after one good fetch, every kind of
// registry failure ends on the cached artifact.
func TestRegistryFaultsFallBackToCache(t *testing.T) {
	e := newEnv(t)
	cache := newCache(t)
	if _, err := Fetch(context.Background(), e.store, e.host, e.opts(t, cache)); err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		desc  string
		fault regtest.Fault
	}{{"5xx", regtest.Error5xx}, {"truncated blobs", regtest.Truncate}, {"corrupted blobs", regtest.Corrupt}, {"stalled", regtest.Stall}, {"stopped", regtest.Refuse}} {
		t.Run(f.desc, func(t *testing.T) {
			e.proxy.Set(f.fault, -1)
			defer e.proxy.Set(regtest.Pass, 0)
			o, err := Fetch(context.Background(), e.store, e.host, e.faultOpts(t, cache))
			if err != nil || o.Source != SourceCache || !bytes.Equal(o.BTF, e.art.BTF) || !o.Signed {
				t.Fatalf("Fetch = %s %s, %v", o.Source, o.Reason, err)
			}
			// The mechanism, not the wall time (load stretches it; the
			// boot timings are BenchmarkBoot's): the registry was tried,
			// failed, and the cached artifact was taken for that reason.
			if o.Attempts < 1 || !strings.Contains(o.Reason, "using the cached artifact") {
				t.Errorf("%d attempts, reason %q: want a registry attempt that fell back to the cache", o.Attempts, o.Reason)
			}
			t.Logf("%d attempts, %s: %s", o.Attempts, o.Timings.Total.Round(time.Millisecond), o.Reason)
		})
	}
}

// TestRegistryStopsMidPull: the registry answers the first requests of a
// pull (ping, manifest), then goes away; the cached artifact is used.
func TestRegistryStopsMidPull(t *testing.T) {
	e := newEnv(t)
	cache := newCache(t)
	if _, err := Fetch(context.Background(), e.store, e.host, e.opts(t, cache)); err != nil {
		t.Fatal(err)
	}
	s, err := registry.OpenRemote(e.proxy.Addr+"/probehub/btf", registry.WithoutRetries())
	if err != nil {
		t.Fatal(err)
	}
	for _, pass := range []int{1, 2, 3} {
		e.proxy.SetAfter(pass, regtest.Refuse, -1)
		o, err := Fetch(context.Background(), s, e.host, e.faultOpts(t, cache))
		if err != nil || o.Source != SourceCache || !bytes.Equal(o.BTF, e.art.BTF) {
			t.Fatalf("after %d requests: Fetch = %s %s, %v", pass, o.Source, o.Reason, err)
		}
	}
	e.proxy.Set(regtest.Pass, 0)
}

func TestTransientFaultsRetried(t *testing.T) {
	e := newEnv(t)
	for _, f := range []regtest.Fault{regtest.Error5xx, regtest.Truncate, regtest.Refuse} {
		t.Run(fmt.Sprint(f), func(t *testing.T) {
			e.proxy.Set(f, 2)
			o, err := Fetch(context.Background(), e.store, e.host, e.opts(t, nil))
			if err != nil || o.Source != SourceRegistry {
				t.Fatalf("Fetch = %s %s, %v", o.Source, o.Reason, err)
			}
		})
	}
}

// TestTamperedRegistryKeepsGoodCache: a blob corrupted in the registry's
// storage is refused, the cache serves, and the cache still holds the good
// artifact afterwards.
func TestTamperedRegistryKeepsGoodCache(t *testing.T) {
	e := newEnv(t)
	cache := newCache(t)
	if _, err := Fetch(context.Background(), e.store, e.host, e.opts(t, cache)); err != nil {
		t.Fatal(err)
	}
	m, err := e.direct.Manifest(context.Background(), e.pub.Digest)
	if err != nil {
		t.Fatal(err)
	}
	var man v1.Manifest
	_ = json.Unmarshal(m.Raw, &man)
	path := e.reg.BlobPath(man.Layers[0].Digest.Hex)
	b, _ := os.ReadFile(path)
	b[len(b)/2] ^= 0xff
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		o, err := Fetch(context.Background(), e.store, e.host, e.faultOpts(t, cache))
		if err != nil || o.Source != SourceCache || !strings.Contains(o.RegistryError, "digest mismatch") {
			t.Fatalf("Fetch = %s, %v", o.Reason, err)
		}
	}
}

// TestIndexResolvesOtherBanner: two builds of one key (same uname -r,
// different banners); the tag names the newer, the node runs the older.
func TestIndexResolvesOtherBanner(t *testing.T) {
	e := newEnv(t)
	newer := e.art
	newer.Banner += " rebuilt"
	if _, err := registry.Publish(context.Background(), e.direct, []registry.KernelArtifact{newer}, registry.PublishOptions{Signer: e.signer}); err != nil {
		t.Fatal(err)
	}
	o, err := Fetch(context.Background(), e.store, e.host, e.opts(t, nil))
	if err != nil || o.Via != "index" || o.Digest != e.pub.Digest {
		t.Fatalf("Fetch = %s via %s %s, %v", o.Source, o.Via, o.Reason, err)
	}
}
