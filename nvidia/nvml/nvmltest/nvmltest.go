//go:build cgo

// Package nvmltest builds go-nvml fake GPU servers (pkg/nvml/mock/dgx*) set
// to a chosen driver branch, with running GPU processes, for tests of code
// that consumes NVML facts.
package nvmltest

import (
	"fmt"
	"strings"

	gonvml "github.com/NVIDIA/go-nvml/pkg/nvml"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock/dgxa100"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock/dgxb200"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock/dgxh100"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock/dgxh200"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock/server"

	"github.com/probehub/probehub/nvidia"
)

// Driver is a released driver of a branch, with its CUDA driver API version.
type Driver struct {
	Version string // "550.54.15"
	CUDA    int    // NVML's integer form: 12040 for 12.4
}

// Drivers are the branch releases the tests use.
var Drivers = map[nvidia.Branch]Driver{
	"R535": {"535.183.01", 12020},
	"R550": {"550.54.15", 12040},
	"R570": {"570.124.06", 12080},
	"R580": {"580.65.06", 13000},
}

// Systems are the go-nvml fake servers by name.
var Systems = map[string]func() *server.Server{
	"dgxa100": dgxa100.New,
	"dgxh100": dgxh100.New,
	"dgxh200": dgxh200.New,
	"dgxb200": dgxb200.New,
}

// New returns the fake server system (a key of Systems) running driver
// version, with no GPU processes.
func New(system, version string, cuda int) (*server.Server, error) {
	mk, ok := Systems[system]
	if !ok {
		return nil, fmt.Errorf("new fake server: unknown system %q", system)
	}
	s := mk()
	s.DriverVersion = version
	s.NvmlVersion = nvmlVersion(cuda, version)
	s.CudaDriverVersion = cuda
	for i := range s.Devices {
		SetProcesses(s, i, nil, nil)
	}
	return s, nil
}

// NewBranch is New with the release of branch in Drivers.
func NewBranch(system string, branch nvidia.Branch) (*server.Server, error) {
	d, ok := Drivers[branch]
	if !ok {
		return nil, fmt.Errorf("new fake server: no driver for branch %s", branch)
	}
	return New(system, d.Version, d.CUDA)
}

// SetProcesses makes device index report the given compute and graphics
// PIDs (each using 512 MiB).
func SetProcesses(s *server.Server, index int, compute, graphics []uint32) {
	d := s.Devices[index].(*server.Device)
	d.GetComputeRunningProcessesFunc = infos(compute)
	d.GetGraphicsRunningProcessesFunc = infos(graphics)
}

func infos(pids []uint32) func() ([]gonvml.ProcessInfo, gonvml.Return) {
	return func() ([]gonvml.ProcessInfo, gonvml.Return) {
		out := make([]gonvml.ProcessInfo, len(pids))
		for i, p := range pids {
			out[i] = gonvml.ProcessInfo{Pid: p, UsedGpuMemory: 512 << 20}
		}
		return out, gonvml.SUCCESS
	}
}

// nvmlVersion is NVML's version string: the CUDA major, then the driver
// version ("12.550.54.15").
func nvmlVersion(cuda int, driver string) string {
	return fmt.Sprintf("%d.%s", cuda/1000, strings.TrimSpace(driver))
}
