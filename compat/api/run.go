package api

import "time"

// Run is one kernel-matrix test result: one kernel booted in a VM with one
// probe version. The service reads runs from <data-dir>/matrix/: files of
// Run (one object or an array), and the matrix runner's results.json, whose
// probe version is the name of the directory holding it
// (matrix/<probe-version>/results.json).
type Run struct {
	ID      string    `json:"id"`     // run identifier, unique per kernel × probe version × attempt
	Kernel  string    `json:"kernel"` // catalog key distro/version_id/arch/release
	Banner  string    `json:"banner,omitempty"`
	Probe   string    `json:"probe"`         // probe version tested
	Time    time.Time `json:"time,omitzero"` // when the run finished
	OK      bool      `json:"ok"`            // booted, loaded, and every expected detection fired
	Booted  bool      `json:"booted"`        // the guest reported back
	Loaded  bool      `json:"probes_loaded"` // the sensor loaded and attached its probes
	Detects int       `json:"detections"`    // expected detections that fired
	Expects int       `json:"detections_total"`
	BTF     string    `json:"btf,omitempty"`   // where the BTF came from: builtin or artifact
	Log     string    `json:"log,omitempty"`   // where the run's log is kept (URL or path)
	Error   string    `json:"error,omitempty"` // the failed step and why, when it failed
}
