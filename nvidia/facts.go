package nvidia

import (
	"context"
	"errors"
	"fmt"
)

// ErrNoDriver means the node has no usable NVIDIA driver: libnvidia-ml.so
// cannot be loaded, the kernel driver is not loaded, or there is no GPU.
var ErrNoDriver = errors.New("no NVIDIA driver")

// Source reports the node's NVML facts.
type Source interface {
	// Facts queries the driver. An error wrapping ErrNoDriver means the node
	// has no usable driver.
	Facts(ctx context.Context) (Facts, error)
}

// Facts is one consistent reading of NVML.
type Facts struct {
	DriverVersion     string    `json:"driver_version"`      // "550.54.15"
	CUDADriverVersion string    `json:"cuda_driver_version"` // "12.4"
	NVMLVersion       string    `json:"nvml_version"`        // "12.550.54.15"
	Devices           []Device  `json:"devices"`
	Processes         []Process `json:"processes"`
}

// Device is one GPU.
type Device struct {
	Index int    `json:"index"`
	UUID  string `json:"uuid"`
	Name  string `json:"name"`
	// Minor is the device minor number: the GPU's device file is
	// /dev/nvidia<Minor>.
	Minor   int  `json:"minor"`
	MIGMode bool `json:"mig_mode"`
}

// DevicePath is the device file of the GPU, /dev/nvidiaN.
func (d Device) DevicePath() string { return fmt.Sprintf("/dev/nvidia%d", d.Minor) }

// Process is one process NVML reports as using a GPU.
type Process struct {
	PID        uint32      `json:"pid"`
	Kind       ProcessKind `json:"kind"`
	DeviceUUID string      `json:"device_uuid"`
	UsedMemory uint64      `json:"used_memory"` // bytes
}

// ProcessKind says how a process uses the GPU.
type ProcessKind uint8

// Process kinds.
const (
	Compute ProcessKind = iota
	Graphics
)

// String returns "compute" or "graphics".
func (k ProcessKind) String() string {
	if k == Graphics {
		return "graphics"
	}
	return "compute"
}

// MarshalText writes the kind's name.
func (k ProcessKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads a kind's name.
func (k *ProcessKind) UnmarshalText(b []byte) error {
	switch string(b) {
	case "compute":
		*k = Compute
	case "graphics":
		*k = Graphics
	default:
		return fmt.Errorf("parse process kind %q: want compute or graphics", b)
	}
	return nil
}

// CUDAVersion renders NVML's integer CUDA driver version (12040) as "12.4".
func CUDAVersion(v int) string {
	if v <= 0 {
		return ""
	}
	return fmt.Sprintf("%d.%d", v/1000, v%1000/10)
}

// SourceFunc adapts a function to a Source.
type SourceFunc func(ctx context.Context) (Facts, error)

// Facts calls f.
func (f SourceFunc) Facts(ctx context.Context) (Facts, error) { return f(ctx) }
