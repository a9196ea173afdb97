package syscall

import (
	"unsafe"

	"github.com/probehub/probehub/sensor/event"
)

// cache holds per-event derived strings (joined command lines, ancestor
// lists) in reused buffers, so accessors do not allocate. The strings are
// valid until the next event: the engine copies what it keeps (alerts).
type cache struct {
	cur *event.Event
	gen uint64

	args, cmdline, pcmdline slot
	anames                  listSlot
	fdIPs                   listSlot
	ports, apids            []int64
	env                     slot
	fdlist                  [6]slot // fdlist.nums, names, cips, sips, cports, sports
	aargs, acmdline         listSlot
	// procFiles are the /proc files read for this event (procGen).
	procFiles map[string][]byte
	procGen   uint64
	v2Ctrl    []string // the unified hierarchy's controllers, read once
}

type slot struct {
	gen uint64
	buf []byte
	s   string
}

type listSlot struct {
	gen uint64
	l   []string
}

func (c *cache) reset(e *event.Event) {
	c.cur = e
	c.gen++
}

// check starts a new event when e is not the current one.
func (c *cache) check(e *event.Event) {
	if e != c.cur {
		c.reset(e)
	}
}

// joined returns name (if any) and words joined by spaces, cached in sl.
func (c *cache) joined(sl *slot, name string, words []string) string {
	if sl.gen == c.gen {
		return sl.s
	}
	b := sl.buf[:0]
	if name != "" {
		b = append(b, name...)
	}
	for i, w := range words {
		if i > 0 || name != "" {
			b = append(b, ' ')
		}
		b = append(b, w...)
	}
	sl.buf, sl.gen = b, c.gen
	if len(b) == 0 {
		sl.s = ""
	} else {
		sl.s = unsafe.String(&b[0], len(b))
	}
	return sl.s
}
