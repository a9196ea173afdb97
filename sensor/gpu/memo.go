package gpu

import (
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// recheck is how long a verification result is reused before the files are
// looked at again. NVML facts are refreshed on a similar period, so a
// replaced file is noticed at most this late; it keeps syscalls off the
// alert path. Ages are measured with the coarse clock, which lags by up to
// a tick: results are trusted for recheck minus one tick.
const recheck = 2 * time.Second

const fresh = int64(recheck - tick)

// result is one cached verification outcome: err, computed at clock time at
// for the inputs ver and id (the driver version, a uid).
type result struct {
	ver string
	id  int64
	at  int64
	err error
}

// slot holds the latest result of one check; reading it takes no lock.
type slot struct{ cur atomic.Pointer[result] }

// get returns the cached outcome for (ver, id) if it is fresh at now.
func (s *slot) get(ver string, id, now int64) (err error, ok bool) {
	r := s.cur.Load()
	if r == nil || r.ver != ver || r.id != id || now-r.at >= fresh {
		return nil, false
	}
	return r.err, true
}

func (s *slot) put(ver string, id, now int64, err error) error {
	s.cur.Store(&result{ver: ver, id: id, at: now, err: err})
	return err
}

// fileSlot caches the checks of one installed file: the plain check, the
// check with an embedded version, and, per pid (direct-mapped, so bounded),
// whether a live container process runs this very file.
type fileSlot struct {
	full      string // the sensor's path to the file
	plain     slot
	versioned slot
	live      [64]slot
}

func (s *fileSlot) checked(version string) *slot {
	if version == "" {
		return &s.plain
	}
	return &s.versioned
}

// maxFileSlots bounds fileSlots against paths an attacker chooses (module
// files): past it, new paths are checked without caching.
const maxFileSlots = 1024

// fileSlots maps paths as the process sees them below one root to their
// slots. The map is copied on write: lookups take no lock.
type fileSlots struct {
	root string // the sensor's path to the root
	m    atomic.Pointer[map[string]*fileSlot]
	mu   sync.Mutex
}

// get returns the slot of p, creating it on first use.
func (fs *fileSlots) get(p string) *fileSlot {
	if m := fs.m.Load(); m != nil {
		if s := (*m)[p]; s != nil {
			return s
		}
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	old := fs.m.Load()
	if old != nil && (*old)[p] != nil {
		return (*old)[p]
	}
	s := &fileSlot{full: filepath.Join(fs.root, filepath.Clean("/"+p))}
	if old != nil && len(*old) >= maxFileSlots {
		return s
	}
	m := make(map[string]*fileSlot, 1+lenOf(old))
	if old != nil {
		for k, v := range *old {
			m[k] = v
		}
	}
	m[p] = s
	fs.m.Store(&m)
	return s
}

func lenOf(m *map[string]*fileSlot) int {
	if m == nil {
		return 0
	}
	return len(*m)
}
