package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/probehub/probehub/internal/version"
	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/registry"
)

// maxFetchRSS is the bound on the boot fetch's peak RSS, the
// mapped binary included (about 48 MB of it here, where ext4's large folios
// map the binary's text in 2 MB pages; 30 MB from tmpfs). maxFetchAnon
// bounds the part a server can influence: the heap and stacks (6–8 MB
// measured against every server below).
const (
	maxFetchRSS  = 64 << 20
	maxFetchAnon = 16 << 20
)

// TestFetchHostileRegistry runs `probehub-sensor fetch` against registries
// that try to exhaust its memory, and checks that each fails with a clear
// error and a peak RSS (VmHWM of the process) under 64 MB.
//
// Slow: runs the real sensor binary once per hostile registry, each
// streaming until the sensor's size limits stop it, under -race (2.5 min).
func TestFetchHostileRegistry(t *testing.T) {
	t.Log("slow: runs the real sensor binary once per hostile registry, each streaming until the sensor's size limits stop it, under -race (about 20 s)")
	root := fakeHostRoot(t)
	for _, tc := range []struct {
		name string
		h    http.HandlerFunc
		want string // in the output
	}{
		{"endless manifest", hostile(func(w http.ResponseWriter, r *http.Request) bool {
			if strings.Contains(r.URL.Path, "/manifests/") {
				endless(w, "application/vnd.oci.image.manifest.v1+json", []byte(`{"schemaVersion":2,"annotations":{"x":"`), []byte("aaaaaaaaaaaaaaaa"))
				return true
			}
			return false
		}), "larger than its format allows"},
		{"huge content-length", hostile(func(w http.ResponseWriter, r *http.Request) bool {
			if strings.Contains(r.URL.Path, "/manifests/") {
				w.Header().Set("Content-Length", "1099511627776")
				endless(w, "application/vnd.oci.image.manifest.v1+json", nil, []byte("{{{{{{{{"))
				return true
			}
			return false
		}), "larger than its format allows"},
		{"endless blob", servesManifest(64, func(w http.ResponseWriter) {
			endless(w, "application/octet-stream", nil, []byte("bbbbbbbbbbbbbbbb"))
		}), "more than the descriptor's"},
		{"huge descriptor", servesManifest(1<<40, nil), "larger than its format allows"},
		{"endless error body", hostile(func(w http.ResponseWriter, r *http.Request) bool {
			if strings.Contains(r.URL.Path, "/manifests/") {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusNotFound)
				endless(w, "", []byte(`{"errors":[{"code":"MANIFEST_UNKNOWN","message":"`), []byte("cccccccccccccccc"))
				return true
			}
			return false
		}), "no usable BTF"},
		{"gzip bomb", gzipBomb(t), "BTF"},
		{"slow drip", hostile(func(w http.ResponseWriter, r *http.Request) bool {
			if strings.Contains(r.URL.Path, "/manifests/") {
				w.Header().Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
				for {
					if _, err := w.Write([]byte("{")); err != nil {
						return true
					}
					w.(http.Flusher).Flush()
					select {
					case <-r.Context().Done():
						return true
					case <-time.After(50 * time.Millisecond):
					}
				}
			}
			return false
		}), "no usable BTF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.h)
			defer srv.Close()
			addr := strings.TrimPrefix(srv.URL, "http://")
			cmd := exec.Command(sensorBin, "fetch", "--from", addr+"/probehub/btf", "--allow-unsigned", "--force",
				"--host-root", root, "--deadline", "3s")
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			mem := sampleMemory(cmd.Process.Pid)
			err := cmd.Wait()
			pk := <-mem
			if err == nil {
				t.Fatalf("fetch succeeded against a hostile registry:\n%s", out.String())
			}
			peakAnon, rss := pk.anon, pk.hwm
			t.Logf("peak RSS (VmHWM) %.1f MB (of which anonymous: %.1f MB; the rest is the mapped binary), sampled every 2 ms; limits %d MB, anonymous %d MB",
				float64(rss)/(1<<20), float64(peakAnon)/(1<<20), maxFetchRSS>>20, maxFetchAnon>>20)
			if peakAnon > maxFetchAnon {
				t.Errorf("peak anonymous RSS %d bytes, over %d", peakAnon, maxFetchAnon)
			}
			if rss > maxFetchRSS {
				t.Errorf("peak RSS %d bytes, over %d", rss, maxFetchRSS)
			}
			if !strings.Contains(out.String(), tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, out.String())
			}
		})
	}
}

// peaks is what sampleMemory saw of a process, in bytes: the largest
// RssAnon (heap and stacks) and the last VmHWM (its peak RSS, the mapped
// binary included).
type peaks struct{ anon, hwm int64 }

// sampleMemory polls /proc/PID/status every 2 ms until the process is gone
// and sends the peaks seen. VmHWM, not the child's ru_maxrss: Go starts a
// child with vfork semantics, and at exec the kernel folds the shared
// (parent's) memory's high-water mark into the child's ru_maxrss, so under
// -race the test binary's 100 MB would be counted as the sensor's.
func sampleMemory(pid int) <-chan peaks {
	ch := make(chan peaks, 1)
	go func() {
		var p peaks
		path := fmt.Sprintf("/proc/%d/status", pid)
		for {
			b, err := os.ReadFile(path)
			if err != nil || bytes.Contains(b, []byte("State:\tZ")) {
				ch <- p
				return
			}
			for _, l := range strings.Split(string(b), "\n") {
				if v, ok := strings.CutPrefix(l, "RssAnon:"); ok {
					p.anon = max(p.anon, kB(v))
				}
				if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
					p.hwm = max(p.hwm, kB(v))
				}
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	return ch
}

// kB reads a /proc status value such as "  1234 kB" in bytes.
func kB(v string) int64 {
	var n int64
	fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &n)
	return n << 10
}

// hostile answers /v2/ itself and everything f does not handle with 404.
func hostile(f func(http.ResponseWriter, *http.Request) bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v2/" {
			return
		}
		if !f(w, r) {
			http.NotFound(w, r)
		}
	}
}

// endless writes head then tail forever, until the client goes away.
func endless(w http.ResponseWriter, ct string, head, tail []byte) {
	if ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	if _, err := w.Write(head); err != nil {
		return
	}
	chunk := bytes.Repeat(tail, 4096)
	for {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

// servesManifest serves a kernel manifest whose config descriptor claims
// size bytes; blob (when not nil) answers every blob request.
func servesManifest(size int64, blob func(http.ResponseWriter)) http.HandlerFunc {
	m := fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":%q,`+
		`"config":{"mediaType":%q,"digest":"sha256:%s","size":%d},"layers":[{"mediaType":%q,"digest":"sha256:%s","size":%d}]}`,
		registry.KernelArtifactType, registry.KernelConfigType, strings.Repeat("a", 64), size, registry.BTFLayerType, strings.Repeat("b", 64), size)
	return hostile(func(w http.ResponseWriter, r *http.Request) bool {
		switch {
		case strings.Contains(r.URL.Path, "/manifests/"):
			w.Header().Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
			_, _ = io.WriteString(w, m)
			return true
		case strings.Contains(r.URL.Path, "/blobs/") && blob != nil:
			blob(w)
			return true
		}
		return false
	})
}

// gzipBomb serves a well-formed artifact whose BTF layer is 1 MB of gzip
// that inflates to 1 GB of zeros, with a config claiming a 16 MiB BTF.
func gzipBomb(t *testing.T) http.HandlerFunc {
	// 1 GiB of zeros as 1,024 gzip members of 1 MiB each (a gzip reader
	// reads concatenated members as one stream): the same bomb as one
	// member, about 1 MB, without compressing a gibibyte under -race
	// (that took most of this test's three minutes).
	var member bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&member, gzip.BestCompression)
	_, _ = zw.Write(make([]byte, 1<<20))
	_ = zw.Close()
	var gz bytes.Buffer
	for range 1024 {
		gz.Write(member.Bytes())
	}
	key := testHostKey()
	cfg, _ := json.Marshal(registry.KernelConfig{SchemaVersion: 1, Kernel: key, Banner: testHostBanner, ProbeVersion: version.ProbeVersion,
		Verdict: "supported", BTFSHA256: strings.Repeat("0", 64), BTFSize: registry.MaxBTFSize - 1})
	blobs := map[string][]byte{digestOf(cfg): cfg, digestOf(gz.Bytes()): gz.Bytes()}
	m := fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":%q,`+
		`"config":{"mediaType":%q,"digest":%q,"size":%d},"layers":[{"mediaType":%q,"digest":%q,"size":%d}]}`,
		registry.KernelArtifactType, registry.KernelConfigType, digestOf(cfg), len(cfg), registry.BTFLayerType, digestOf(gz.Bytes()), gz.Len())
	return hostile(func(w http.ResponseWriter, r *http.Request) bool {
		switch {
		case strings.Contains(r.URL.Path, "/manifests/"):
			w.Header().Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
			_, _ = io.WriteString(w, m)
			return true
		case strings.Contains(r.URL.Path, "/blobs/"):
			b, ok := blobs[r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]]
			if !ok {
				return false
			}
			_, _ = w.Write(b)
			return true
		}
		return false
	})
}

func digestOf(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

const testHostBanner = "Linux version 6.1.0-18-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)\n"

func testHostKey() kernels.Key {
	return kernels.Key{Distro: "debian", VersionID: "12", Arch: "x86_64", Release: "6.1.0-18-amd64"}
}

// fakeHostRoot is a host root of a Debian 12 node without BTF.
func fakeHostRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for p, c := range map[string]string{
		"etc/os-release":            "ID=debian\nVERSION_ID=\"12\"\n",
		"proc/version":              testHostBanner,
		"proc/sys/kernel/osrelease": "6.1.0-18-amd64\n",
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, p), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}
