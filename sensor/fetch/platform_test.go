package fetch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"runtime"
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

// multiArch is one store holding a Debian 12 kernel's amd64 and arm64
// artifacts (same upstream release, Debian's per-arch uname -r).
type multiArch struct {
	store        registry.Store
	signer       *sign.Signer
	amd64, arm64 registry.KernelArtifact
	pubs         map[string]registry.Published // by Go arch
}

var (
	keyAmd64 = kernels.Key{Distro: "debian", VersionID: "12", Arch: "x86_64", Release: "6.1.0-18-amd64"}
	keyArm64 = kernels.Key{Distro: "debian", VersionID: "12", Arch: "aarch64", Release: "6.1.0-18-arm64"}
)

// multiArchStores returns a fresh store of each kind: Debian's
// docker-registry and an OCI image layout.
func multiArchStores(t *testing.T) map[string]func(t *testing.T) registry.Store {
	return map[string]func(t *testing.T) registry.Store{
		"registry": func(t *testing.T) registry.Store {
			reg := regtest.Start(t)
			s, err := registry.OpenRemote(reg.Repo("probehub/btf"), registry.WithoutRetries())
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		"layout": func(t *testing.T) registry.Store {
			s, err := registry.OpenLayout(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
	}
}

// publishMultiArch publishes the arches given (Go names) to s, signed.
func publishMultiArch(t *testing.T, s registry.Store, arches ...string) *multiArch {
	t.Helper()
	m := &multiArch{store: s, pubs: map[string]registry.Published{}}
	m.signer, _ = newKeyPair(t)
	btf := readFixture(t, "min.btf")
	banner := func(rel string) string {
		return "Linux version " + rel + " (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)"
	}
	m.amd64 = registry.KernelArtifact{Key: keyAmd64, Banner: banner(keyAmd64.Release), ProbeVersion: testVersion, Verdict: "supported",
		BTF: btf, ProbeObject: readFixture(t, "probe.o")}
	m.arm64 = registry.KernelArtifact{Key: keyArm64, Banner: banner(keyArm64.Release), ProbeVersion: testVersion, Verdict: "supported",
		BTF: append(bytes.Clone(btf), 0), ProbeObject: append(readFixture(t, "probe.o"), 1)}
	var arts []registry.KernelArtifact
	for _, a := range arches {
		if a == "amd64" {
			arts = append(arts, m.amd64)
		} else {
			arts = append(arts, m.arm64)
		}
	}
	pubs, err := registry.Publish(context.Background(), s, arts, registry.PublishOptions{Signer: m.signer})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pubs {
		m.pubs[kernels.GoArch(p.Artifact.Key.Arch)] = p
	}
	return m
}

func (m *multiArch) opts(arch string) Options {
	return Options{ProbeVersion: testVersion, Verifier: m.signer.Verifier(), Arch: arch, Deadline: testDeadline, AttemptTimeout: testDeadline, Backoff: 10 * time.Millisecond}
}

// host is a node of the other arch than the one fetched for (this machine
// is x86_64; the override stands for an arm64 sensor): the key's arch
// comes from Options.Arch.
func host(a registry.KernelArtifact) hostinfo.Host {
	k := a.Key
	k.Arch = "x86_64"
	return hostinfo.Host{Key: k, Banner: a.Banner}
}

// TestMultiArchFetch: one store, both arches; each sensor arch gets its
// own artifact, the index lists both with their platforms, and the
// manifest and config carry the platform.
func TestMultiArchFetch(t *testing.T) {
	for name, open := range multiArchStores(t) {
		t.Run(name, func(t *testing.T) {
			m := publishMultiArch(t, open(t), "amd64", "arm64")
			ctx := context.Background()
			for arch, a := range map[string]registry.KernelArtifact{"amd64": m.amd64, "arm64": m.arm64} {
				o, err := Fetch(ctx, m.store, host(a), m.opts(arch))
				if err != nil {
					t.Fatalf("%s: %v", arch, err)
				}
				if o.Digest != m.pubs[arch].Digest || !bytes.Equal(o.BTF, a.BTF) || o.Platform != "linux/"+arch || o.Host.Key != a.Key {
					t.Fatalf("%s: got %s (%s, key %s), want %s", arch, o.Digest, o.Platform, o.Host.Key, m.pubs[arch].Digest)
				}
				if o.Config.Architecture != arch || o.Config.OS != "linux" {
					t.Errorf("%s: config platform %s/%s", arch, o.Config.OS, o.Config.Architecture)
				}
				man, err := m.store.Manifest(ctx, o.Digest)
				if err != nil {
					t.Fatal(err)
				}
				var vm v1.Manifest
				if err := json.Unmarshal(man.Raw, &vm); err != nil {
					t.Fatal(err)
				}
				if p := vm.Config.Platform; p == nil || p.OS != "linux" || p.Architecture != arch {
					t.Errorf("%s: manifest config descriptor platform %+v", arch, p)
				}
			}
			ix, _, err := registry.ReadIndex(ctx, m.store, testVersion)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, e := range ix.Kernels {
				got[e.Platform.String()] = e.Digest
			}
			if got["linux/amd64"] != m.pubs["amd64"].Digest || got["linux/arm64"] != m.pubs["arm64"].Digest || len(got) != 2 {
				t.Fatalf("index platforms %v", got)
			}
		})
	}
}

// TestRetaggedArtifactRefused: an attacker with write access to the store
// (not the signing key) puts the signed amd64 artifact under the arm64
// kernel's tag. Its signature still verifies (it is the same manifest),
// but the platform is in the signed config: the arm64 sensor refuses it,
// naming both platforms. When the index holds the real arm64 artifact the
// sensor takes that one instead.
func TestRetaggedArtifactRefused(t *testing.T) {
	for name, open := range multiArchStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			for _, withArm64 := range []bool{false, true} {
				arches := []string{"amd64"}
				if withArm64 {
					arches = append(arches, "arm64")
				}
				m := publishMultiArch(t, open(t), arches...)
				retag(t, m.store, m.pubs["amd64"].Digest, keyArm64)
				o, err := Fetch(ctx, m.store, host(m.arm64), m.opts("arm64"))
				if withArm64 {
					if err != nil || o.Digest != m.pubs["arm64"].Digest || o.Via != "index" {
						t.Fatalf("with the arm64 artifact in the index: %s via %s, %v", o.Digest, o.Via, err)
					}
					continue
				}
				if !errors.Is(err, registry.ErrPlatformMismatch) || !errors.Is(err, ErrNoBTF) || o.Source != SourceNone || o.BTF != nil {
					t.Fatalf("Fetch = %s %q, %v; want ErrPlatformMismatch", o.Source, o.Reason, err)
				}
				for _, want := range []string{"is for linux/amd64", "this sensor is linux/arm64", "signed config"} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q lacks %q", err, want)
					}
				}
				if o.Attempts != 1 {
					t.Errorf("%d attempts: a refusal is not retried", o.Attempts)
				}
			}
		})
	}
}

// TestForgedPlatformUnsigned: rewriting the config's architecture (and
// key) makes another manifest, which the signature does not cover.
func TestForgedPlatformUnsigned(t *testing.T) {
	reg := regtest.Start(t)
	s, err := registry.OpenRemote(reg.Repo("probehub/btf"), registry.WithoutRetries())
	if err != nil {
		t.Fatal(err)
	}
	m := publishMultiArch(t, s, "amd64")
	forged := rewriteConfig(t, s, m.pubs["amd64"].Digest, func(c map[string]any) {
		c["architecture"] = "arm64"
		c["kernel"] = keyArm64
	}, nil)
	tag, _ := registry.KernelTag(testVersion, keyArm64)
	if err := s.PutManifest(context.Background(), tag, forged); err != nil {
		t.Fatal(err)
	}
	o, err := Fetch(context.Background(), s, host(m.arm64), m.opts("arm64"))
	if !errors.Is(err, registry.ErrUnsigned) || o.Source != SourceNone {
		t.Fatalf("Fetch = %s %q, %v; want ErrUnsigned", o.Source, o.Reason, err)
	}
}

// TestArtifactWithoutPlatform: an artifact published before platforms
// (no architecture/os in its config, no platform on its descriptor, no
// platform in the index) is read: its platform is its signed kernel key's
// arch, which the outcome says; the same artifact under an arm64 tag is
// refused, and the error says where the platform came from.
func TestArtifactWithoutPlatform(t *testing.T) {
	for name, open := range multiArchStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := open(t)
			m := publishMultiArch(t, s, "amd64")
			old := rewriteConfig(t, s, m.pubs["amd64"].Digest, func(c map[string]any) {
				delete(c, "architecture")
				delete(c, "os")
			}, m.signer)
			tag, _ := registry.KernelTag(testVersion, keyAmd64)
			if err := s.PutManifest(ctx, tag, old); err != nil {
				t.Fatal(err)
			}
			o, err := Fetch(ctx, s, host(m.amd64), m.opts("amd64"))
			if err != nil || o.Digest != old.Digest.String() || o.Via != "tag" || o.Config.Architecture != "" {
				t.Fatalf("old artifact: %s via %s (%s), %v", o.Digest, o.Via, o.Reason, err)
			}
			retag(t, s, old.Digest.String(), keyArm64)
			_, err = Fetch(ctx, s, host(m.arm64), m.opts("arm64"))
			if !errors.Is(err, registry.ErrPlatformMismatch) || !strings.Contains(err.Error(), "without a platform field") {
				t.Fatalf("old artifact retagged for arm64: %v", err)
			}
		})
	}
}

// retag puts the manifest with digest d under key's kernel tag.
func retag(t *testing.T, s registry.Store, d string, key kernels.Key) {
	t.Helper()
	man, err := s.Manifest(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	tag, err := registry.KernelTag(testVersion, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutManifest(context.Background(), tag, man); err != nil {
		t.Fatal(err)
	}
}

// rewriteConfig stores a copy of manifest d whose config edit changed
// (the descriptor's platform dropped), signed by signer when not nil.
func rewriteConfig(t *testing.T, s registry.Store, d string, edit func(map[string]any), signer *sign.Signer) registry.Manifest {
	t.Helper()
	ctx := context.Background()
	man, err := s.Manifest(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	var vm v1.Manifest
	if err := json.Unmarshal(man.Raw, &vm); err != nil {
		t.Fatal(err)
	}
	b, err := s.Blob(ctx, vm.Config.Digest)
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	edit(c)
	if b, err = json.Marshal(c); err != nil {
		t.Fatal(err)
	}
	if vm.Config.Digest, err = s.PutBlob(ctx, b); err != nil {
		t.Fatal(err)
	}
	vm.Config.Size, vm.Config.Platform = int64(len(b)), nil
	raw, err := json.Marshal(vm)
	if err != nil {
		t.Fatal(err)
	}
	out := registry.NewManifest(man.MediaType, raw)
	if signer != nil {
		if err := registry.Sign(ctx, s, signer, referenceOf(s), out.Digest); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func referenceOf(s registry.Store) string {
	if r, ok := s.(*registry.Remote); ok {
		return r.Repository()
	}
	return "probehub"
}

// TestDefaultArchIsGOARCH: without Options.Arch a sensor fetches the
// artifact of the arch it was built for (make check-arm64 runs this under
// qemu-aarch64, where that is arm64).
func TestDefaultArchIsGOARCH(t *testing.T) {
	s, err := registry.OpenLayout(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	m := publishMultiArch(t, s, "amd64", "arm64")
	a := map[string]registry.KernelArtifact{"amd64": m.amd64, "arm64": m.arm64}[runtime.GOARCH]
	if a.BTF == nil {
		t.Skipf("no artifact for GOARCH %s in this test", runtime.GOARCH)
	}
	o, err := Fetch(context.Background(), s, host(a), m.opts(""))
	if err != nil {
		t.Fatal(err)
	}
	if o.Platform != "linux/"+runtime.GOARCH || o.Digest != m.pubs[runtime.GOARCH].Digest {
		t.Fatalf("fetched %s for %s; want the %s artifact %s", o.Digest, o.Platform, runtime.GOARCH, m.pubs[runtime.GOARCH].Digest)
	}
	t.Logf("GOARCH %s: %s", runtime.GOARCH, o.Reason)
}
