package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/registry/sign"
)

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

func TestPublishPullRoundTrip(t *testing.T) {
	ctx := context.Background()
	fx := loadFixtures(t)
	signer, verifier := newKeys(t)
	for _, ts := range stores(t) {
		t.Run(ts.name, func(t *testing.T) {
			s := ts.open()
			arts := []KernelArtifact{fx.artifact(t, "0.1.0", 1), fx.artifact(t, "0.1.0", 2), fx.artifact(t, "0.1.0", 3)}
			pubs, err := Publish(ctx, s, arts, PublishOptions{Signer: signer, Meta: Meta{Source: "https://example.com/probehub"}})
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range pubs {
				k, err := PullKernel(ctx, s, p.Tag, PullOptions{Verifier: verifier, WithProbe: true})
				if err != nil {
					t.Fatalf("pull %s: %v", p.Tag, err)
				}
				if !k.Signed || !bytes.Equal(k.BTF, arts[i].BTF) || !bytes.Equal(k.Probe, fx.probe) || k.Manifest.Digest.String() != p.Digest {
					t.Errorf("pull %s: signed=%v btf equal=%v probe equal=%v", p.Tag, k.Signed, bytes.Equal(k.BTF, arts[i].BTF), bytes.Equal(k.Probe, fx.probe))
				}
				if err := k.Check(arts[i].Key, arts[i].Banner); err != nil {
					t.Error(err)
				}
				d, err := LookupIndex(ctx, s, "0.1.0", arts[i].Key, arts[i].Banner)
				if err != nil || d != p.Digest {
					t.Errorf("LookupIndex = %s, %v; want %s", d, err, p.Digest)
				}
			}
			for _, tag := range []string{"index-0.1.0", "0.1.0", "0.1", "0", "latest"} {
				if _, err := s.Manifest(ctx, tag); err != nil {
					t.Errorf("tag %s: %v", tag, err)
				}
			}
			idx, _, err := ReadIndex(ctx, s, "0.1.0")
			if err != nil || len(idx.Kernels) != 3 {
				t.Fatalf("index: %v, %+v", err, idx)
			}
			if err := Verify(ctx, s, verifier, mustManifest(t, s, "index-0.1.0").Digest); err != nil {
				t.Errorf("index signature: %v", err)
			}
		})
	}
}

func mustManifest(t *testing.T, s Reader, ref string) Manifest {
	t.Helper()
	m, err := s.Manifest(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTamperRefused(t *testing.T) {
	ctx := context.Background()
	fx := loadFixtures(t)
	signer, verifier := newKeys(t)
	_, otherKey := newKeys(t)
	for _, ts := range stores(t) {
		t.Run(ts.name, func(t *testing.T) {
			s := ts.open()
			art := fx.artifact(t, "0.2.0", 7)
			pubs, err := Publish(ctx, s, []KernelArtifact{art}, PublishOptions{Signer: signer})
			if err != nil {
				t.Fatal(err)
			}
			tag := pubs[0].Tag
			opts := PullOptions{Verifier: verifier}

			t.Run("wrong key", func(t *testing.T) {
				_, err := PullKernel(ctx, s, tag, PullOptions{Verifier: otherKey})
				if !errors.Is(err, ErrBadSignature) {
					t.Fatalf("err = %v, want ErrBadSignature", err)
				}
			})
			t.Run("no key", func(t *testing.T) {
				if _, err := PullKernel(ctx, s, tag, PullOptions{}); !errors.Is(err, ErrUnsigned) {
					t.Fatalf("err = %v, want ErrUnsigned", err)
				}
			})
			t.Run("wrong banner", func(t *testing.T) {
				k, err := PullKernel(ctx, s, tag, opts)
				if err != nil {
					t.Fatal(err)
				}
				if err := k.Check(art.Key, art.Banner+" "); !errors.Is(err, ErrKernelMismatch) {
					t.Fatalf("err = %v, want ErrKernelMismatch", err)
				}
			})
			t.Run("modified manifest", func(t *testing.T) {
				// Someone with push rights but not the key rewrites the config.
				evil := art
				evil.Verdict = "ok-trust-me"
				m, blobs, err := kernelManifest(&evil, Meta{}, nil)
				if err != nil {
					t.Fatal(err)
				}
				if err := putArtifact(ctx, s, tag, m, blobs, PublishOptions{}); err != nil {
					t.Fatal(err)
				}
				if _, err := PullKernel(ctx, s, tag, opts); !errors.Is(err, ErrUnsigned) {
					t.Fatalf("err = %v, want ErrUnsigned", err)
				}
				// Re-pointing the old signature at the new manifest does not help.
				sig := mustManifest(t, s, SignatureTag(mustHash(t, pubs[0].Digest)))
				if err := s.PutManifest(ctx, SignatureTag(m.Digest), sig); err != nil {
					t.Fatal(err)
				}
				if _, err := PullKernel(ctx, s, tag, opts); !errors.Is(err, ErrBadSignature) {
					t.Fatalf("err = %v, want ErrBadSignature", err)
				}
			})
			t.Run("modified layer", func(t *testing.T) {
				k, err := PullKernel(ctx, s, pubs[0].Digest, opts)
				if err != nil {
					t.Fatal(err)
				}
				var man v1.Manifest
				_ = json.Unmarshal(k.Manifest.Raw, &man)
				flipByte(t, ts.path(man.Layers[0].Digest.Hex))
				if _, err := PullKernel(ctx, s, pubs[0].Digest, opts); !errors.Is(err, ErrDigestMismatch) {
					t.Fatalf("err = %v, want ErrDigestMismatch", err)
				}
			})
		})
	}
}

func mustHash(t *testing.T, s string) v1.Hash {
	t.Helper()
	h, err := v1.NewHash(s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestConcurrentPublishers runs publishers with their own store handles (as
// separate processes would) against one store; the index must end up with
// every kernel.
func TestConcurrentPublishers(t *testing.T) {
	ctx := context.Background()
	fx := loadFixtures(t)
	signer, _ := newKeys(t)
	const publishers, each = 6, 3
	for _, ts := range stores(t) {
		t.Run(ts.name, func(t *testing.T) {
			var wg sync.WaitGroup
			errs := make([]error, publishers)
			for p := range publishers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var arts []KernelArtifact
					for i := range each {
						arts = append(arts, fx.artifact(t, "0.3.0", 100+p*each+i))
					}
					_, errs[p] = Publish(ctx, ts.open(), arts, PublishOptions{Signer: signer, Jobs: 2})
				}()
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatal(err)
			}
			idx, _, err := ReadIndex(ctx, ts.open(), "0.3.0")
			if err != nil {
				t.Fatal(err)
			}
			if len(idx.Kernels) != publishers*each {
				var have []string
				for _, e := range idx.Kernels {
					have = append(have, e.Kernel.Release)
				}
				tags, _ := ts.open().Tags(ctx)
				t.Fatalf("index has %d kernels, want %d\nindex: %v\ntags: %v", len(idx.Kernels), publishers*each, have, tags)
			}
		})
	}
}

func TestFloatingTagsMoveForwardOnly(t *testing.T) {
	ctx := context.Background()
	fx := loadFixtures(t)
	s, err := OpenLayout(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range []string{"1.2.0", "1.3.0", "1.2.5", "2.0.0-rc.1"} {
		if _, err := Publish(ctx, s, []KernelArtifact{fx.artifact(t, v, i)}, PublishOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]string{"latest": "1.3.0", "1": "1.3.0", "1.3": "1.3.0", "1.2": "1.2.5", "1.2.0": "1.2.0", "2.0.0-rc.1": "2.0.0-rc.1"}
	for tag, v := range want {
		got, err := manifestVersion(mustManifest(t, s, tag))
		if err != nil {
			t.Fatal(err)
		}
		if g := fmt.Sprintf("%d.%d.%d", got.Major, got.Minor, got.Patch); got.Pre != "" {
			g += "-" + got.Pre
			if g != v {
				t.Errorf("tag %s -> %s, want %s", tag, g, v)
			}
		} else if g != v {
			t.Errorf("tag %s -> %s, want %s", tag, g, v)
		}
	}
	_ = sign.CosignSignatureType
}

// TestCheckDebianBanner: a Debian image's banner lacks the build number that
// the running kernel's /proc/version has; the artifact is still the node's.
func TestCheckDebianBanner(t *testing.T) {
	key := kernels.Key{Distro: "debian", VersionID: "12", Arch: "x86_64", Release: "6.1.0-56-cloud-amd64"}
	k := &Kernel{Config: KernelConfig{Kernel: key,
		Banner: "Linux version 6.1.0-56-cloud-amd64 (debian-kernel@lists.debian.org) (gcc-12) # SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)"}}
	if err := k.Check(key, "Linux version 6.1.0-56-cloud-amd64 (debian-kernel@lists.debian.org) (gcc-12) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)"); err != nil {
		t.Errorf("Debian node refused its own artifact: %v", err)
	}
	if err := k.Check(key, "Linux version 6.1.0-56-cloud-amd64 (debian-kernel@lists.debian.org) (gcc-12) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-3 (2026-11-20)"); !errors.Is(err, ErrKernelMismatch) {
		t.Errorf("another build accepted: %v", err)
	}
}
