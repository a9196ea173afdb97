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

// Decision is the outcome of Filter.Suppress.
type Decision struct {
	Suppressed bool   `json:"suppressed"`
	Entry      string `json:"entry,omitempty"`  // the profile entry that matched
	Reason     string `json:"reason,omitempty"` // why (not) suppressed
}

// Filter decides which alerts on a GPU node are driver and toolkit noise.
// Safe for concurrent use; Suppress takes no lock.
type Filter struct {
	facts    Snapshotter
	branches map[nvidia.Branch]*branchSet
	hostRoot string
	drvRoot  string
	log      *slog.Logger
	off      atomic.Bool
	files    fileChecker
	recent   ttlCache // verification results by (kind, key)
	users    userCache
	counters map[counterKey]*atomic.Uint64
}

type branchSet struct {
	profile *Profile
	byRule  map[string][]*matcher
	modules set
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
		counters: map[counterKey]*atomic.Uint64{},
	}
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
	bs := &branchSet{profile: p, byRule: map[string][]*matcher{}, modules: newSet(p.Modules)}
	for i := range p.Entries {
		m := compile(&p.Entries[i])
		for _, r := range m.e.Rules {
			bs.byRule[r] = append(bs.byRule[r], m)
			k := counterKey{r, m.e.Name}
			if f.counters[k] == nil {
				f.counters[k] = new(atomic.Uint64)
			}
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
// or when any verification of the matching entry fails.
func (f *Filter) Suppress(rule string, ev *event.Event) Decision {
	if f.off.Load() {
		return Decision{Reason: "gpu filter disabled"}
	}
	if rule == NVIDIAScapeRule || IsNVIDIAScape(ev) {
		return Decision{Reason: "NVIDIAScape pattern (CVE-2025-23266) is never suppressed"}
	}
	snap := f.facts.Snapshot()
	if !snap.Loaded() {
		return Decision{Reason: "NVML facts: " + snap.State.String() + errSuffix(snap.Err)}
	}
	bs := f.branches[snap.Branch]
	if bs == nil {
		return Decision{Reason: fmt.Sprintf("no GPU profile for driver %s (branch %s)", snap.Facts.DriverVersion, snap.Branch)}
	}
	why := ""
	for _, m := range bs.byRule[rule] {
		if !m.match(ev) {
			continue
		}
		err := f.verify(m, bs, ev, snap)
		if err == nil {
			return f.suppressed(rule, m.e.Name, ev, snap)
		}
		why = fmt.Sprintf("entry %s matched but verification failed: %v", m.e.Name, err)
	}
	if why == "" {
		why = "no " + string(snap.Branch) + " profile entry matches"
	}
	return Decision{Reason: why}
}

func (f *Filter) suppressed(rule, entry string, ev *event.Event, snap *nvidia.Snapshot) Decision {
	f.counters[counterKey{rule, entry}].Add(1)
	if f.log != nil {
		f.log.LogAttrs(context.Background(), slog.LevelInfo, "gpu filter suppressed alert",
			slog.String("rule", rule), slog.String("entry", entry),
			slog.Uint64("pid", uint64(ev.Proc.PID)), slog.String("exepath", ev.Proc.ExePath),
			slog.String("driver", snap.Facts.DriverVersion))
	}
	return Decision{Suppressed: true, Entry: entry, Reason: verifiedReason}
}

const verifiedReason = "matched and verified against NVML facts and the installed driver files"

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func errSuffix(err error) string {
	if err == nil || errors.Is(err, context.Canceled) {
		return ""
	}
	return " (" + err.Error() + ")"
}
