// Package nvml reads nvidia.Facts from NVML through github.com/NVIDIA/go-nvml.
//
// It is the only package that needs cgo: go-nvml dlopens libnvidia-ml.so.1 at
// run time, so a binary built here runs on any node. Without the library (a
// node with no NVIDIA driver) Facts returns an error wrapping
// nvidia.ErrNoDriver; it never panics. Built with CGO_ENABLED=0, Open returns
// a Source in that same state.
package nvml
