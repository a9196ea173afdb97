package gpu

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/probehub/probehub/nvidia"
	"github.com/probehub/probehub/sensor/event"
)

// Snapshotter gives the latest NVML facts; *nvidia.Refresher implements it.
// If it also has a Request() method, the filter calls it when a process
// claims GPU use that the facts do not show yet.
type Snapshotter interface {
	Snapshot() *nvidia.Snapshot
}

// Options configure a Filter. The zero value is usable.
type Options struct {
	// HostRoot is where the host's root filesystem is mounted in the sensor.
	// The default is "/" (the sensor runs on the host); in a DaemonSet it is
	// usually "/host".
	HostRoot string
	// DriverRoot is the driver installation root, relative to HostRoot. The
	// default is "/" (driver installed on the host); with the GPU Operator's
	// driver container it is "/run/nvidia/driver".
	DriverRoot string
	// Profiles replace the built-in profiles when non-nil.
	Profiles []Profile
	// Logger receives one audit line per suppression at Info level. The
	// default (nil) logs nothing; counters are kept either way.
	Logger *slog.Logger
	// Disabled starts the filter switched off (nothing is suppressed). The
	// default is false.
	Disabled bool
}

// Decision is the outcome of Filter.Suppress. Reason is a constant phrase,
// so deciding builds no strings; String adds the entry and the cause.
type Decision struct {
	Suppressed bool   `json:"suppressed"`
	Entry      string `json:"entry,omitempty"`  // the profile entry that matched (and, if not suppressed, failed)
	Reason     string `json:"reason,omitempty"` // why (not) suppressed
	Err        error  `json:"-"`                // the failed verification or the NVML error, if any
}

// String describes the decision in one line, for logs and explain.
func (d Decision) String() string {
	s := d.Reason
	if d.Entry != "" {
		s = "entry " + d.Entry + ": " + s
	}
	if d.Err != nil {
		s += ": " + d.Err.Error()
	}
	return s
}

// Filter decides which alerts on a GPU node are driver and toolkit noise.
// Safe for concurrent use; Suppress takes no lock and, in steady state,
// neither allocates nor reads the system clock.
type Filter struct {
	facts    Snapshotter
	branches map[nvidia.Branch]*branchSet
	rules    set // rule names any entry names; index in branchSet.byRule
	hostRoot string
	drvRoot  string
	log      *slog.Logger
	off      atomic.Bool
	files    fileChecker
	clock    *clock
	hostBins fileSlots // verification slots of files below the host root
	drvBins  fileSlots // and below the driver root
	libs     slot      // libnvidia-ml.so.<driver version> installed
	users    userCache
	counters map[counterKey]*atomic.Uint64
	last     atomic.Pointer[branchMemo]
}

type branchSet struct {
	profile *Profile
	byRule  [][]candidate // by Filter.rules index
	modules set
}

// candidate is an entry that may silence one rule, with its counter.
type candidate struct {
	m *matcher
	n *atomic.Uint64
}

// branchMemo remembers the branch set of the latest snapshot.
type branchMemo struct {
	snap *nvidia.Snapshot
	bs   *branchSet
}

// New returns a Filter over facts with opts (nil means defaults).
func New(facts Snapshotter, opts *Options) (*Filter, error) {
	if opts == nil {
		opts = &Options{}
	}
	profiles := opts.Profiles
	if profiles == nil {
		var err error
		if profiles, err = BuiltinProfiles(); err != nil {
			return nil, fmt.Errorf("load built-in profiles: %w", err)
		}
	}
	f := &Filter{
		facts:    facts,
		branches: map[nvidia.Branch]*branchSet{},
		hostRoot: orDefault(opts.HostRoot, "/"),
		drvRoot:  orDefault(opts.DriverRoot, "/"),
		log:      opts.Logger,
		clock:    newClock(),
		counters: map[counterKey]*atomic.Uint64{},
	}
	f.hostBins.root = f.resolve("host", "/")
	f.drvBins.root = f.resolve("driver", "/")
	f.off.Store(opts.Disabled)
	for i := range profiles {
		if err := f.add(&profiles[i]); err != nil {
			return nil, err
		}
	}
	return f, nil
}

func (f *Filter) add(p *Profile) error {
	if err := p.validate(); err != nil {
		return fmt.Errorf("check profile %s: %w", p.Branch, err)
	}
	if _, dup := f.branches[p.Branch]; dup {
		return fmt.Errorf("add profile %s: branch defined twice", p.Branch)
	}
	bs := &branchSet{profile: p, modules: newSet(p.Modules)}
	for i := range p.Entries {
		m := f.compile(&p.Entries[i])
		for _, r := range m.e.Rules {
			k := counterKey{r, m.e.Name}
			if f.counters[k] == nil {
				f.counters[k] = new(atomic.Uint64)
			}
			id := f.rules.add(r)
			for len(bs.byRule) <= id {
				bs.byRule = append(bs.byRule, nil)
			}
			bs.byRule[id] = append(bs.byRule[id], candidate{m, f.counters[k]})
		}
	}
	f.branches[p.Branch] = bs
	return nil
}

// SetEnabled switches the filter on or off at run time.
func (f *Filter) SetEnabled(on bool) { f.off.Store(!on) }

// Enabled reports whether the filter suppresses anything.
func (f *Filter) Enabled() bool { return !f.off.Load() }

// Suppress decides whether the alert of rule on ev is verified GPU-node
// noise. It never suppresses when the filter is off, the node has no loaded
// driver or no profile for its branch, for the NVIDIAScape rule or pattern,
// or when any verification of the matching entry fails. A rule that no
// profile entry names returns at once.
func (f *Filter) Suppress(rule string, ev *event.Event) Decision {
	if f.off.Load() {
		return Decision{Reason: reasonDisabled}
	}
	if rule == NVIDIAScapeRule {
		return Decision{Reason: reasonScape}
	}
	id := f.rules.index(rule)
	if id < 0 {
		return Decision{Reason: reasonNoEntry}
	}
	if IsNVIDIAScape(ev) {
		return Decision{Reason: reasonScape}
	}
	snap := f.facts.Snapshot()
	if !snap.Loaded() {
		return Decision{Reason: nvmlReason(snap), Err: snapErr(snap)}
	}
	bs := f.branchOf(snap)
	if bs == nil {
		return Decision{Reason: reasonNoProfile}
	}
	var d Decision
	if id < len(bs.byRule) {
		for _, c := range bs.byRule[id] {
			if !c.m.match(ev) {
				continue
			}
			err := f.verify(c.m, bs, ev, snap)
			if err == nil {
				return f.suppressed(c, rule, ev, snap)
			}
			d = Decision{Entry: c.m.e.Name, Reason: reasonUnverified, Err: err}
		}
	}
	if d.Reason == "" {
		d.Reason = reasonNoMatch
	}
	return d
}

// branchOf returns the branch set of snap's driver, or nil.
func (f *Filter) branchOf(snap *nvidia.Snapshot) *branchSet {
	if m := f.last.Load(); m != nil && m.snap == snap {
		return m.bs
	}
	bs := f.branches[snap.Branch]
	f.last.Store(&branchMemo{snap, bs})
	return bs
}

func (f *Filter) suppressed(c candidate, rule string, ev *event.Event, snap *nvidia.Snapshot) Decision {
	c.n.Add(1)
	entry := c.m.e.Name
	if f.log != nil {
		f.log.LogAttrs(context.Background(), slog.LevelInfo, "gpu filter suppressed alert",
			slog.String("rule", rule), slog.String("entry", entry),
			slog.Uint64("pid", uint64(ev.Proc.PID)), slog.String("exepath", ev.Proc.ExePath),
			slog.String("driver", snap.Facts.DriverVersion))
	}
	return Decision{Suppressed: true, Entry: entry, Reason: verifiedReason}
}

// Decision reasons: constants, so that deciding builds no string.
const (
	verifiedReason   = "matched and verified against NVML facts and the installed driver files"
	reasonDisabled   = "gpu filter disabled"
	reasonScape      = "NVIDIAScape pattern (CVE-2025-23266) is never suppressed"
	reasonNoEntry    = "no GPU profile entry names this rule"
	reasonNoProfile  = "no GPU profile for the NVML driver's branch"
	reasonNoMatch    = "no profile entry of the NVML driver's branch matches"
	reasonUnverified = "matched but verification failed"
)

var nvmlReasons = [...]string{
	nvidia.StateUnknown:  "NVML facts: unknown (not read yet)",
	nvidia.StateOK:       "NVML facts: ok",
	nvidia.StateNoDriver: "NVML facts: no-driver",
	nvidia.StateError:    "NVML facts: error",
}

// snapErr is why snap is not usable; a cancelled refresh says nothing more.
func snapErr(snap *nvidia.Snapshot) error {
	if snap == nil || errors.Is(snap.Err, context.Canceled) {
		return nil
	}
	return snap.Err
}

func nvmlReason(snap *nvidia.Snapshot) string {
	if snap == nil {
		return nvmlReasons[nvidia.StateUnknown]
	}
	if int(snap.State) < len(nvmlReasons) {
		return nvmlReasons[snap.State]
	}
	return "NVML facts: " + snap.State.String()
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
