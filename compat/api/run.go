package api

import "time"

// Run is one kernel-matrix test result: one kernel booted in a VM with one
// probe version. The matrix runner writes each as JSON (one object, or an
// array of them, per file) under <data-dir>/matrix/; the service reads them
// as test evidence.
type Run struct {
	ID      string    `json:"id"`     // run identifier, unique per kernel × probe version × attempt
	Kernel  string    `json:"kernel"` // catalog key distro/version_id/arch/release
	Banner  string    `json:"banner,omitempty"`
	Probe   string    `json:"probe"` // probe version tested
	Time    time.Time `json:"time"`  // when the run finished
	Booted  bool      `json:"booted"`
	Loaded  int       `json:"probes_loaded"` // programs that loaded and attached
	Probes  int       `json:"probes_total"`
	Detects int       `json:"detections"` // expected detections that fired
	Expects int       `json:"detections_total"`
	Log     string    `json:"log,omitempty"`   // where the run's log is kept (URL or path)
	Error   string    `json:"error,omitempty"` // why the run failed, when it did
}

// Passed reports whether the run booted, loaded every probe and saw every
// expected detection.
func (r Run) Passed() bool {
	return r.Booted && r.Error == "" && r.Probes > 0 && r.Loaded == r.Probes && r.Detects == r.Expects
}
