//go:build cgo

package nvml

import (
	"context"
	"fmt"

	gonvml "github.com/NVIDIA/go-nvml/pkg/nvml"

	"github.com/probehub/probehub/nvidia"
)

// read queries an initialized library.
func read(ctx context.Context, lib gonvml.Interface) (nvidia.Facts, error) {
	var f nvidia.Facts
	var r gonvml.Return
	if f.DriverVersion, r = lib.SystemGetDriverVersion(); r != gonvml.SUCCESS {
		return f, fmt.Errorf("get driver version: %w", retErr(r))
	}
	if f.NVMLVersion, r = lib.SystemGetNVMLVersion(); r != gonvml.SUCCESS {
		return f, fmt.Errorf("get nvml version: %w", retErr(r))
	}
	cuda, r := lib.SystemGetCudaDriverVersion()
	if r != gonvml.SUCCESS {
		return f, fmt.Errorf("get cuda driver version: %w", retErr(r))
	}
	f.CUDADriverVersion = nvidia.CUDAVersion(cuda)
	n, r := lib.DeviceGetCount()
	if r != gonvml.SUCCESS {
		return f, fmt.Errorf("count devices: %w", retErr(r))
	}
	if n == 0 {
		return f, fmt.Errorf("%w: driver %s sees no GPU", nvidia.ErrNoDriver, f.DriverVersion)
	}
	for i := 0; i < n; i++ {
		if err := ctx.Err(); err != nil {
			return f, fmt.Errorf("read devices: %w", err)
		}
		dev, err := readDevice(lib, i)
		if err != nil {
			return f, err
		}
		f.Devices = append(f.Devices, dev.Device)
		f.Processes = append(f.Processes, dev.procs...)
	}
	return f, nil
}

type deviceFacts struct {
	nvidia.Device
	procs []nvidia.Process
}

func readDevice(lib gonvml.Interface, i int) (deviceFacts, error) {
	d := deviceFacts{Device: nvidia.Device{Index: i}}
	h, r := lib.DeviceGetHandleByIndex(i)
	if r != gonvml.SUCCESS {
		return d, fmt.Errorf("get device %d: %w", i, retErr(r))
	}
	if d.UUID, r = h.GetUUID(); r != gonvml.SUCCESS {
		return d, fmt.Errorf("get device %d uuid: %w", i, retErr(r))
	}
	if d.Name, r = h.GetName(); r != gonvml.SUCCESS {
		return d, fmt.Errorf("get device %d name: %w", i, retErr(r))
	}
	if d.Minor, r = h.GetMinorNumber(); r != gonvml.SUCCESS {
		return d, fmt.Errorf("get device %d minor: %w", i, retErr(r))
	}
	cur, _, r := h.GetMigMode()
	switch r {
	case gonvml.SUCCESS:
		d.MIGMode = cur == gonvml.DEVICE_MIG_ENABLE
	case gonvml.ERROR_NOT_SUPPORTED: // pre-Ampere GPUs: no MIG
	default:
		return d, fmt.Errorf("get device %d mig mode: %w", i, retErr(r))
	}
	var err error
	if d.procs, err = processes(h, d.UUID, nvidia.Compute, nil); err != nil {
		return d, fmt.Errorf("list device %d processes: %w", i, err)
	}
	if d.procs, err = processes(h, d.UUID, nvidia.Graphics, d.procs); err != nil {
		return d, fmt.Errorf("list device %d processes: %w", i, err)
	}
	return d, nil
}

// processes appends the device's compute or graphics processes to out.
// NOT_SUPPORTED (e.g. graphics on a data-center GPU) means none.
func processes(h gonvml.Device, uuid string, kind nvidia.ProcessKind, out []nvidia.Process) ([]nvidia.Process, error) {
	list := h.GetComputeRunningProcesses
	if kind == nvidia.Graphics {
		list = h.GetGraphicsRunningProcesses
	}
	infos, r := list()
	if r == gonvml.ERROR_NOT_SUPPORTED {
		return out, nil
	}
	if r != gonvml.SUCCESS {
		return out, fmt.Errorf("%s: %w", kind, retErr(r))
	}
	for _, p := range infos {
		out = append(out, nvidia.Process{PID: p.Pid, Kind: kind, DeviceUUID: uuid, UsedMemory: p.UsedGpuMemory})
	}
	return out, nil
}
