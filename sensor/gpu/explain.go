package gpu

import (
	"errors"
	"path"
	"slices"

	"github.com/probehub/probehub/nvidia"
)

// Explanation is what the filter knows and would do on this node.
type Explanation struct {
	Enabled  bool            `json:"enabled"`
	State    nvidia.State    `json:"nvml_state"`
	Error    string          `json:"nvml_error,omitempty"`
	Facts    nvidia.Facts    `json:"facts"`
	Branch   nvidia.Branch   `json:"branch,omitempty"`
	Profiles []nvidia.Branch `json:"profiles"` // branches with a profile
	Entries  []EntryStatus   `json:"entries"`  // of the active branch's profile
	Counts   []Count         `json:"counts"`
}

// EntryStatus says whether a profile entry can suppress anything now.
type EntryStatus struct {
	Name   string   `json:"name"`
	Rules  []string `json:"rules"`
	Active bool     `json:"active"`
	Why    string   `json:"why,omitempty"` // why not active
}

// Explain reports the NVML facts, the profile in use and which entries are
// active: an entry is inactive when the filter is off, the node has no
// driver or profile, or none of the installed binaries it names verifies.
func (f *Filter) Explain() Explanation {
	snap := f.facts.Snapshot()
	x := Explanation{Enabled: f.Enabled(), State: snap.State, Facts: snap.Facts, Branch: snap.Branch, Counts: f.Counts()}
	if snap.Err != nil {
		x.Error = snap.Err.Error()
	}
	for b := range f.branches {
		x.Profiles = append(x.Profiles, b)
	}
	slices.Sort(x.Profiles)
	bs := f.branches[snap.Branch]
	if bs == nil {
		return x
	}
	for i := range bs.profile.Entries {
		e := &bs.profile.Entries[i]
		st := EntryStatus{Name: e.Name, Rules: e.Rules, Active: true}
		if err := f.entryReady(e, snap); err != nil {
			st.Active, st.Why = false, err.Error()
		}
		if !x.Enabled {
			st.Active, st.Why = false, "gpu filter disabled"
		}
		x.Entries = append(x.Entries, st)
	}
	return x
}

// entryReady checks that each binary the entry verifies is installed: at
// least one of its candidate paths passes the file checks.
func (f *Filter) entryReady(e *Entry, snap *nvidia.Snapshot) error {
	for _, b := range e.Verify.Binaries {
		n, _ := whoIndex(b.Who)
		cands := e.Process.ExePath
		if n > 0 {
			cands = e.Parents[n-1].ExePath
		}
		version := ""
		if b.Embeds == "driver_version" {
			version = snap.Facts.DriverVersion
		}
		var errs []error
		for _, c := range cands {
			if !path.IsAbs(c) {
				continue
			}
			err := f.files.check(f.resolve(b.Root, c), version)
			if err == nil {
				errs = nil
				break
			}
			errs = append(errs, err)
		}
		if len(errs) > 0 {
			return errors.Join(errs...)
		}
	}
	return nil
}
