package extract

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/probehub/probehub/internal/debcache"
)

// xzPrefix is how much of the cloud kernel package's data.tar the
// extractor decodes before its BTF is out (the vmlinuz starts 126 KB in,
// its BTF ends 10.8 MB into it).
const xzPrefix = 11_000_000

// BenchmarkXZDebPrefix decodes the first xzPrefix bytes of the 6.1 cloud
// (lz4) kernel package's data.tar.xz: the part of `btf extract` that no
// other stage can overlap, nearly all LZMA literals. Its time per op is
// the figure to hold against liblzma on the same bytes (cpu-ms/op, the
// process's user+sys time per op, is the steadier one on a loaded machine):
//
//	ar p DEB data.tar.xz | xz -dc | head -c 11000000
//
// Downloads the package once (internal/debcache); not in -short mode.
func BenchmarkXZDebPrefix(b *testing.B) {
	if testing.Short() {
		b.Skip("downloads a real kernel package; not in -short mode")
	}
	ctx := context.Background()
	deb := debcache.Fetch(b, ctx, debcache.Newest(b, ctx, false, `linux-image-6\.1\.0-\d+-cloud-amd64-unsigned`))
	f, err := os.Open(deb)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	ar := newArReader(f)
	var comp []byte
	for comp == nil {
		m, err := ar.next()
		if err != nil {
			b.Fatalf("%s: no data.tar.xz: %v", deb, err)
		}
		if strings.HasPrefix(m.Name, "data.tar.xz") {
			if comp, err = io.ReadAll(ar); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.SetBytes(xzPrefix)
	cpu0 := cpuTime(b)
	for b.Loop() {
		x, err := newXZReader(bytes.NewReader(comp))
		if err != nil {
			b.Fatal(err)
		}
		if n, err := io.Copy(io.Discard, io.LimitReader(x, xzPrefix)); n != xzPrefix {
			b.Fatalf("decoded %d of %d bytes: %v", n, xzPrefix, err)
		}
	}
	b.ReportMetric(float64((cpuTime(b)-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
}

// cpuTime is the user+sys time of this process so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
