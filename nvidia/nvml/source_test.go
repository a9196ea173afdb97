//go:build cgo

package nvml_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	gonvml "github.com/NVIDIA/go-nvml/pkg/nvml"

	"github.com/probehub/probehub/nvidia"
	"github.com/probehub/probehub/nvidia/nvml"
	"github.com/probehub/probehub/nvidia/nvml/nvmltest"
)

// backend is one NVML implementation the same checks run against.
type backend struct {
	name string
	lib  gonvml.Interface
	// Expectations known for fakes; zero for the real library.
	version string
	devices int
	pids    []uint32
}

// backends returns every go-nvml fake server at every branch we profile,
// plus the real library when this machine has an NVIDIA GPU and driver.
func backends(t *testing.T) []backend {
	t.Helper()
	var out []backend
	for _, sys := range sortedKeys(nvmltest.Systems) {
		for br, d := range nvmltest.Drivers {
			s, err := nvmltest.New(sys, d.Version, d.CUDA)
			if err != nil {
				t.Fatal(err)
			}
			nvmltest.SetProcesses(s, 0, []uint32{4242}, nil)
			nvmltest.SetProcesses(s, 3, []uint32{4343}, []uint32{4444})
			out = append(out, backend{name: sys + "/" + string(br), lib: s, version: d.Version,
				devices: len(s.Devices), pids: []uint32{4242, 4343, 4444}})
		}
	}
	if lib, why := realLibrary(); lib != nil {
		out = append(out, backend{name: "real-nvml", lib: lib})
	} else {
		t.Logf("real-NVML variant not applicable on this machine: %s", why)
	}
	return out
}

// realLibrary returns the real NVML when libnvidia-ml loads and sees a GPU.
func realLibrary() (gonvml.Interface, string) {
	lib := gonvml.New()
	if r := lib.Init(); r != gonvml.SUCCESS {
		return nil, "init libnvidia-ml.so.1: " + gonvml.ErrorString(r)
	}
	defer lib.Shutdown()
	n, r := lib.DeviceGetCount()
	if r != gonvml.SUCCESS || n == 0 {
		return nil, "no NVIDIA GPU visible to NVML"
	}
	return gonvml.New(), ""
}

func TestFacts(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			src := nvml.New(b.lib)
			t.Cleanup(func() {
				if err := src.Close(); err != nil {
					t.Error(err)
				}
			})
			f, err := src.Facts(context.Background())
			if err != nil {
				t.Fatalf("Facts: %v", err)
			}
			checkFacts(t, f)
			if b.version == "" {
				return // real library: invariants only
			}
			if f.DriverVersion != b.version || len(f.Devices) != b.devices {
				t.Errorf("got driver %s with %d devices, want %s with %d", f.DriverVersion, len(f.Devices), b.version, b.devices)
			}
			if got := pids(f); !equal(got, b.pids) {
				t.Errorf("processes %v, want %v", got, b.pids)
			}
			if f.Processes[2].Kind != nvidia.Graphics || f.Processes[2].DeviceUUID != f.Devices[3].UUID {
				t.Errorf("process 4444 = %+v, want graphics on device 3", f.Processes[2])
			}
		})
	}
}

// checkFacts asserts what must hold for any driver.
func checkFacts(t *testing.T, f nvidia.Facts) {
	t.Helper()
	snap := nvidia.NewSnapshot(f, nil, nowZero)
	if snap.State != nvidia.StateOK {
		t.Fatalf("snapshot state %s: %v", snap.State, snap.Err)
	}
	if !strings.HasPrefix(f.NVMLVersion, strings.SplitN(f.CUDADriverVersion, ".", 2)[0]+".") {
		t.Errorf("NVML version %q does not start with CUDA major of %q", f.NVMLVersion, f.CUDADriverVersion)
	}
	uuids := map[string]bool{}
	for i, d := range f.Devices {
		if d.Index != i || !strings.HasPrefix(d.UUID, "GPU-") || d.Name == "" || d.Minor < 0 || !snap.HasMinor(d.Minor) {
			t.Errorf("device %d: %+v", i, d)
		}
		uuids[d.UUID] = true
	}
	for _, p := range f.Processes {
		if !uuids[p.DeviceUUID] || !snap.HasProcess(p.PID) {
			t.Errorf("process %+v on an unknown device", p)
		}
	}
}

func TestMIGMode(t *testing.T) {
	s, err := nvmltest.NewBranch("dgxa100", "R550")
	if err != nil {
		t.Fatal(err)
	}
	if _, r := s.Devices[1].SetMigMode(gonvml.DEVICE_MIG_ENABLE); r != gonvml.SUCCESS {
		t.Fatal(gonvml.ErrorString(r))
	}
	f, err := nvml.New(s).Facts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if f.Devices[0].MIGMode || !f.Devices[1].MIGMode {
		t.Errorf("MIG modes %v %v, want false true", f.Devices[0].MIGMode, f.Devices[1].MIGMode)
	}
}

func TestNoDriver(t *testing.T) {
	tests := []struct {
		desc string
		lib  gonvml.Interface
	}{
		{"library absent", gonvml.New(gonvml.WithLibraryPath("/nonexistent/libnvidia-ml.so.1"))},
		{"no GPU", noGPU(t)},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			_, err := nvml.New(tc.lib).Facts(context.Background())
			if !errors.Is(err, nvidia.ErrNoDriver) {
				t.Fatalf("Facts error %v, want ErrNoDriver", err)
			}
			if s := nvidia.NewSnapshot(nvidia.Facts{}, err, nowZero); s.State != nvidia.StateNoDriver {
				t.Errorf("state %s, want no-driver", s.State)
			}
		})
	}
}

func noGPU(t *testing.T) gonvml.Interface {
	s, err := nvmltest.NewBranch("dgxh100", "R570")
	if err != nil {
		t.Fatal(err)
	}
	s.Devices = nil
	return s
}
