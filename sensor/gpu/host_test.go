//go:build cgo

package gpu_test

import (
	"os"
	"path/filepath"
	"testing"
)

// installedVersion is the driver the recorded sequences come from.
const installedVersion = "550.54.15"

var toolkitBins = []string{"nvidia-cdi-hook", "nvidia-ctk", "nvidia-container-runtime-hook", "nvidia-container-cli"}
var driverBins = []string{"nvidia-smi", "nvidia-persistenced", "nvidia-modprobe"}
var modules = []string{"nvidia", "nvidia-uvm", "nvidia-modeset", "nvidia-drm", "nvidia-peermem"}

// fakeHost lays out a host root with the toolkit on the host and driver
// version installed both on the host ("/") and in the GPU Operator's driver
// root (/run/nvidia/driver).
func fakeHost(tb testing.TB, version string) string {
	tb.Helper()
	root := tb.TempDir()
	tool := readFixture(tb, "elf/tool.elf")
	for _, b := range toolkitBins {
		writeFile(tb, filepath.Join(root, "usr/bin", b), tool)
	}
	withVersion := append(append([]byte{}, tool...), []byte("\x00"+version+"\x00")...)
	mod := readFixture(tb, "elf/module-"+version+".ko")
	for _, dr := range []string{"/", "/run/nvidia/driver"} {
		d := filepath.Join(root, dr)
		for _, b := range driverBins {
			writeFile(tb, filepath.Join(d, "usr/bin", b), withVersion)
		}
		for _, m := range modules {
			writeFile(tb, filepath.Join(d, "lib/modules/6.8.0-1015-nvidia/kernel/drivers/video", m+".ko"), mod)
		}
		writeFile(tb, filepath.Join(d, "usr/lib/x86_64-linux-gnu/libnvidia-ml.so."+version), tool)
		writeFile(tb, filepath.Join(d, "etc/passwd"), []byte("root:x:0:0:root:/root:/bin/bash\nnvidia-persistenced:x:114:120:NVIDIA Persistence Daemon,,,:/nonexistent:/usr/sbin/nologin\n"))
	}
	return root
}

func readFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func writeFile(tb testing.TB, p string, b []byte) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o755); err != nil {
		tb.Fatal(err)
	}
	if os.Geteuid() != 0 {
		tb.Skip("installed-file checks need root-owned files: run as root")
	}
}
