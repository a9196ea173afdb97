package registry

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/probehub/probehub/internal/regtest"
)

// countingTransport counts registry requests, and blob upload commits per
// digest.
type countingTransport struct {
	rt       http.RoundTripper
	requests atomic.Int64
	commits  map[string]*atomic.Int64 // watched digest → upload commits
	mu       sync.Mutex
	byKind   map[string]int
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.requests.Add(1)
	c.mu.Lock()
	if c.byKind == nil {
		c.byKind = map[string]int{}
	}
	kind := r.Method + " " + r.URL.Path[strings.LastIndex(strings.TrimSuffix(r.URL.Path, "/"), "/"):]
	if i := strings.Index(r.URL.Path, "/v2/"); i >= 0 {
		parts := strings.Split(r.URL.Path, "/")
		if len(parts) > 4 {
			kind = r.Method + " " + parts[len(parts)-2]
		}
	}
	c.byKind[kind]++
	c.mu.Unlock()
	if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/blobs/uploads/") {
		if n, ok := c.commits[r.URL.Query().Get("digest")]; ok {
			n.Add(1)
		}
	}
	return c.rt.RoundTrip(r)
}

// BenchmarkPublish1000 publishes 1,000 kernels' signed artifacts to a real
// registry on loopback and prints artifacts/s and how often the shared probe
// blob was uploaded. Run with -benchtime 1x.
func BenchmarkPublish1000(b *testing.B) {
	kernels := float64(benchKernels())
	fx := loadFixtures(b)
	signer, _ := newKeys(b)
	probe := newBlob(ProbeLayerType, gzipBytes(fx.probe), nil).desc.Digest.String()
	for range b.N {
		b.StopTimer()
		reg := regtest.Start(b)
		ct := &countingTransport{rt: http.DefaultTransport, commits: map[string]*atomic.Int64{probe: {}}}
		s, err := OpenRemote(reg.Repo("probehub/btf"), WithTransport(ct))
		if err != nil {
			b.Fatal(err)
		}
		arts := make([]KernelArtifact, int(kernels))
		for i := range arts {
			arts[i] = fx.artifact(b, "1.0.0", i)
		}
		b.StartTimer()
		start := time.Now()
		if _, err := Publish(context.Background(), s, arts, PublishOptions{Signer: signer, Jobs: 8}); err != nil {
			b.Fatal(err)
		}
		el := time.Since(start)
		b.StopTimer()
		ix, m, err := ReadIndex(context.Background(), s, "1.0.0")
		if err != nil || len(ix.Kernels) != int(kernels) {
			b.Fatalf("index: %v (%d kernels)", err, len(ix.Kernels))
		}
		idxBytes := int64(len(m.Raw))
		if blob, err := s.Blob(context.Background(), mustLayer(b, m)); err == nil {
			idxBytes += int64(len(blob))
		}
		fmt.Printf("publish: %.0f signed kernel artifacts in %s = %.0f artifacts/s; shared probe blob uploaded %d time(s); %d HTTP requests (%.1f per artifact); index of %.0f kernels = %d bytes (manifest + gzip body)\n",
			kernels, el.Round(time.Millisecond), kernels/el.Seconds(), ct.commits[probe].Load(), ct.requests.Load(), float64(ct.requests.Load())/kernels, kernels, idxBytes)
		fmt.Printf("requests by kind: %v\n", ct.byKind)
		b.ReportMetric(kernels/el.Seconds(), "artifacts/s")
		b.ReportMetric(float64(ct.commits[probe].Load()), "probe-uploads")
		b.StartTimer()
	}
}

// benchKernels is 1,000, or PROBEHUB_BENCH_KERNELS for a quick look.
func benchKernels() int {
	if n, err := strconv.Atoi(os.Getenv("PROBEHUB_BENCH_KERNELS")); err == nil && n > 0 {
		return n
	}
	return 1000
}
