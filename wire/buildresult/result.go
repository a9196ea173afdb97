package buildresult

import (
	"path/filepath"
	"time"

	"github.com/probehub/probehub/kernels"
)

// Schema is the version of result.json and index.json.
const Schema = 1

// File names in the output directory.
const (
	IndexFile  = "index.json"
	ResultFile = "result.json"
	MinBTFFile = "min.btf"
	KernelsDir = "kernels"
	ProbesDir  = "probes"
)

// Result is one kernel's result.json.
type Result struct {
	Schema       int         `json:"schema"`
	Kernel       kernels.Key `json:"kernel"`
	Banner       string      `json:"banner,omitempty"` // /proc/version of the kernel, when the input had it
	ProbeVersion string      `json:"probe_version"`    // internal/version.ProbeVersion
	Status       Status      `json:"status"`
	Verdict      Verdict     `json:"verdict"`
	Variant      string      `json:"variant,omitempty"`  // the probe variant chosen; "" when none runs
	Programs     []Program   `json:"programs,omitempty"` // facts of the chosen (else preferred) variant
	Maps         []Map       `json:"maps,omitempty"`

	BTFSource   string `json:"btf_source,omitempty"` // deb, vmlinuz, vmlinux, btf, btfhub
	BTFSHA256   string `json:"btf_sha256,omitempty"` // of the full kernel BTF
	BTFSize     int    `json:"btf_size,omitempty"`
	ProbeSHA256 string `json:"probe_sha256"`      // of the probe object min.btf was made for: probes/<sha256>.o
	ProbesKey   string `json:"probes_key"`        // sha256 over the probe version and every variant: a change rebuilds
	MinBTF      string `json:"min_btf,omitempty"` // "min.btf" when written
	MinSHA256   string `json:"min_btf_sha256,omitempty"`
	MinSize     int    `json:"min_btf_size,omitempty"`
	MinTypes    int    `json:"min_btf_types,omitempty"`

	Input InputStamp `json:"input"`
	// Error says why the build of this kernel failed; ErrorKind names the
	// class of failure (see ErrorKind) so that a reader can tell, say, a
	// missing input from a corrupt one without parsing Error.
	Error     string    `json:"error,omitempty"`
	ErrorKind ErrorKind `json:"error_kind,omitempty"`
	// Err is the *BuildError itself, in the process that built the kernel
	// only (see Failure); it is not stored.
	Err       error     `json:"-"`
	BuiltAt   time.Time `json:"built_at"`
	ElapsedMS float64   `json:"elapsed_ms"`
}

// InputStamp identifies the input file cheaply, so an unchanged input is not
// even read again.
type InputStamp struct {
	Path    string    `json:"path,omitempty"`
	Size    int64     `json:"size,omitempty"`
	ModTime time.Time `json:"mod_time,omitempty"`
}

// Index is index.json: a summary line per result.
type Index struct {
	Schema       int     `json:"schema"`
	ProbeVersion string  `json:"probe_version"`
	Kernels      []Entry `json:"kernels"`
}

// Entry is a kernel in the index.
type Entry struct {
	Kernel      kernels.Key `json:"kernel"`
	Banner      string      `json:"banner,omitempty"`
	Status      Status      `json:"status"`
	Variant     string      `json:"variant,omitempty"`
	Dir         string      `json:"dir"` // relative to DIR, slash-separated
	MinSHA256   string      `json:"min_btf_sha256,omitempty"`
	ProbeSHA256 string      `json:"probe_sha256"`
}

// EntryOf is r's line in the index.
func EntryOf(r *Result) Entry {
	return Entry{Kernel: r.Kernel, Banner: r.Banner, Status: r.Status, Variant: r.Variant,
		Dir: filepath.ToSlash(KernelDir(r.Kernel)), MinSHA256: r.MinSHA256, ProbeSHA256: r.ProbeSHA256}
}

// KernelDir is the directory of a kernel's result, relative to the output
// directory.
func KernelDir(k kernels.Key) string {
	return filepath.Join(KernelsDir, k.Distro, k.VersionID, k.Arch, k.Release)
}

// ProbePath is where a probe object is kept, relative to the output
// directory.
func ProbePath(sha256 string) string { return filepath.Join(ProbesDir, sha256+".o") }
