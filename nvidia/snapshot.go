package nvidia

import (
	"errors"
	"time"
)

// State says what a Snapshot knows of the driver.
type State uint8

// Snapshot states.
const (
	StateUnknown  State = iota // not queried yet
	StateOK                    // facts read from a loaded driver
	StateNoDriver              // no usable NVIDIA driver on this node
	StateError                 // the query failed for another reason
)

var stateNames = [...]string{"unknown", "ok", "no-driver", "error"}

// String names the state.
func (s State) String() string { return stateNames[s] }

// MarshalText writes the state's name.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Snapshot is an immutable reading of a Source with lookup indexes. Share it
// freely; never modify it.
type Snapshot struct {
	State  State
	Facts  Facts
	Branch Branch // empty unless State is StateOK and the version parsed
	Err    error  // why State is not StateOK
	Time   time.Time

	minors map[int]struct{}
	pids   map[uint32]struct{}
}

// NewSnapshot indexes the result of one Source.Facts call.
func NewSnapshot(f Facts, err error, at time.Time) *Snapshot {
	s := &Snapshot{Facts: f, Err: err, Time: at, State: StateOK}
	switch {
	case errors.Is(err, ErrNoDriver):
		s.State = StateNoDriver
	case err != nil:
		s.State = StateError
	}
	if s.State != StateOK {
		return s
	}
	b, perr := ParseBranch(f.DriverVersion)
	if perr != nil {
		s.State, s.Err = StateError, perr
		return s
	}
	s.Branch = b
	s.minors = make(map[int]struct{}, len(f.Devices))
	for _, d := range f.Devices {
		s.minors[d.Minor] = struct{}{}
	}
	s.pids = make(map[uint32]struct{}, len(f.Processes))
	for _, p := range f.Processes {
		s.pids[p.PID] = struct{}{}
	}
	return s
}

// Loaded reports whether a driver answered.
func (s *Snapshot) Loaded() bool { return s != nil && s.State == StateOK }

// HasMinor reports whether a GPU with device minor m (/dev/nvidia<m>) exists.
func (s *Snapshot) HasMinor(m int) bool {
	_, ok := s.minors[m]
	return ok
}

// HasProcess reports whether NVML lists pid as a GPU process.
func (s *Snapshot) HasProcess(pid uint32) bool {
	_, ok := s.pids[pid]
	return ok
}
