package fetch

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/crane"

	"github.com/probehub/probehub/registry"
)

// byteCounter counts response body bytes read over HTTP.
type byteCounter struct {
	rt http.RoundTripper
	n  atomic.Int64
}

func (c *byteCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.rt.RoundTrip(r)
	if err == nil {
		resp.Body = &countingBody{ReadCloser: resp.Body, n: &c.n}
	}
	return resp, err
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

func median(d []time.Duration) time.Duration {
	slices.Sort(d)
	return d[len(d)/2]
}

// BenchmarkNodeBoot measures what a booting node does against a registry on
// loopback: open the store (fresh transport, as a new process has), resolve
// the kernel tag, pull and verify (digests, cosign signature, BTF checksum,
// banner) — and, in the same run, a plain crane pull of the same artifact.
// It prints medians over 50 boots. Run with -benchtime 1x.
func BenchmarkNodeBoot(b *testing.B) {
	e := newEnv(b)
	ref := e.reg.Repo("probehub/btf") + ":" + e.pub.Tag
	const boots = 50
	for range b.N {
		var ours, viaIndex, plain []time.Duration
		var oursBytes, indexBytes, plainBytes, wireBytes int64
		for i := range boots {
			bc := &byteCounter{rt: http.DefaultTransport}
			s, err := registry.OpenRemote(e.reg.Repo("probehub/btf"), registry.WithoutRetries(), registry.WithTransport(bc))
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			o, err := Fetch(context.Background(), s, e.host, e.opts(b, nil))
			if err != nil || o.Source != SourceRegistry {
				b.Fatalf("fetch: %v", err)
			}
			ours = append(ours, time.Since(start))
			oursBytes, wireBytes = o.BytesPulled, bc.n.Load()

			h := e.host
			h.Banner += " (forces the index path)"
			s2, _ := registry.OpenRemote(e.reg.Repo("probehub/btf"), registry.WithoutRetries())
			start = time.Now()
			o2, _ := Fetch(context.Background(), s2, h, e.opts(b, nil))
			viaIndex = append(viaIndex, time.Since(start))
			indexBytes = o2.BytesPulled

			pc := &byteCounter{rt: http.DefaultTransport}
			start = time.Now()
			plainBytes = cranePull(b, ref, pc)
			plain = append(plain, time.Since(start))
			_ = i
		}
		fmt.Printf("node boot (registry on loopback, median of %d): resolve+pull+verify %s, %d bytes of manifests/blobs (%d on the wire incl. headers' bodies); index path (tag names another banner) %s, %d bytes; plain crane pull of the same artifact %s, %d bytes\n",
			boots, median(ours).Round(10*time.Microsecond), oursBytes, wireBytes, median(viaIndex).Round(10*time.Microsecond), indexBytes, median(plain).Round(10*time.Microsecond), plainBytes)
		b.ReportMetric(float64(median(ours).Microseconds())/1000, "ms/boot")
		b.ReportMetric(float64(oursBytes), "bytes/boot")
		b.ReportMetric(float64(median(plain).Microseconds())/1000, "crane-ms")
	}
}

// cranePull pulls ref as `crane pull` does: manifest, config and every
// layer, read to the end (no verification of signatures).
func cranePull(tb testing.TB, ref string, rt http.RoundTripper) int64 {
	img, err := crane.Pull(ref, crane.Insecure, crane.WithTransport(rt))
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := img.RawConfigFile(); err != nil {
		tb.Fatal(err)
	}
	ls, err := img.Layers()
	if err != nil {
		tb.Fatal(err)
	}
	var n int64
	for _, l := range ls {
		rc, err := l.Compressed()
		if err != nil {
			tb.Fatal(err)
		}
		c, _ := io.Copy(io.Discard, rc)
		rc.Close()
		n += c
	}
	return n + int64(len(mustRaw(tb, img)))
}

func mustRaw(tb testing.TB, img interface{ RawManifest() ([]byte, error) }) []byte {
	b, err := img.RawManifest()
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
