package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/cilium/ebpf/btf"

	"github.com/probehub/probehub/internal/retry"
	"github.com/probehub/probehub/internal/version"
	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/registry"
	"github.com/probehub/probehub/registry/sign"
	"github.com/probehub/probehub/sensor/hostinfo"
)

// ErrNoBTF reports that neither the kernel, the store nor the cache gave a
// usable BTF.
var ErrNoBTF = errors.New("no usable BTF for this kernel")

// ErrDowngrade reports an artifact built before the one the node cache
// holds for the same kernel: a registry re-pointed to an older, still
// signed artifact (rollback). Options.AllowDowngrade accepts it.
var ErrDowngrade = errors.New("artifact is older than the cached one (rollback refused)")

// MaxAnswer bounds every registry answer Boot reads that is not a blob
// (256 KiB): the manifests a node reads (kernel artifact, signature,
// referrers, index manifest) are a few KB, and a token or error answer
// less. A hostile registry's endless answer then costs a retry 256 KiB of
// memory, not the 4 MiB a manifest may have in general.
const MaxAnswer = 256 << 10

// MaxBlob bounds every blob Boot reads from a registry (4 MiB): a
// minimized BTF is a few KB compressed, the probe object about 60 KB, a
// whole kernel's BTF about 2 MB. A descriptor claiming more is refused
// before any read.
const MaxBlob = 4 << 20

// Source says where the BTF came from.
type Source string

// Sources of an Outcome.
const (
	SourceKernel   Source = "kernel"   // the kernel's own /sys/kernel/btf/vmlinux
	SourceRegistry Source = "registry" // pulled and verified now
	SourceCache    Source = "cache"    // the last good artifact from the node cache
	SourceNone     Source = "none"
)

// Options configures Fetch. The zero value uses the built-in probe version,
// refuses unsigned artifacts (set Verifier or AllowUnsigned), has no cache
// and a 10 s deadline.
type Options struct {
	ProbeVersion  string         // default version.ProbeVersion
	Verifier      *sign.Verifier // public key artifacts must be signed with
	AllowUnsigned bool           // accept unsigned artifacts (never wrongly signed ones)
	// AllowDowngrade accepts an artifact built before the cached one for
	// the same kernel; by default it is refused (ErrDowngrade) and the
	// cached one is used.
	AllowDowngrade bool
	Cache          *Cache        // nil: no cache
	Force          bool          // fetch even when the kernel has its own BTF
	Deadline       time.Duration // how long to try the store; default 10s
	Backoff        time.Duration // first retry delay; default 100ms, doubling to 2s, full jitter
	// AttemptTimeout bounds one attempt, so that a stalled connection
	// leaves time for retries; default a third of Deadline, at most 2s.
	AttemptTimeout time.Duration
	Metrics        *Metrics // nil: not counted
	// Arch is the Go arch whose artifact to fetch, default runtime.GOARCH:
	// the sensor's probe objects are built for it, so an artifact of any
	// other platform is refused (registry.ErrPlatformMismatch). The kernel
	// key looked up carries this arch.
	Arch string
}

// Timings are the phases of a fetch.
type Timings struct {
	Detect time.Duration `json:"detect"` // kernel detection (Boot only)
	Fetch  time.Duration `json:"fetch"`  // resolve + pull + verify, all attempts
	Cache  time.Duration `json:"cache"`  // cache write or read
	Total  time.Duration `json:"total"`
}

// Outcome is the result of Fetch: the BTF (unless the kernel has its own)
// and why it was chosen.
type Outcome struct {
	Source        Source                 `json:"source"`
	Reason        string                 `json:"reason"`
	Platform      string                 `json:"platform"` // the sensor's: the artifact must be for it (linux/amd64, linux/arm64)
	Host          hostinfo.Host          `json:"host"`
	Store         string                 `json:"store,omitempty"`
	Digest        string                 `json:"digest,omitempty"`
	Via           string                 `json:"via,omitempty"` // "tag" or "index"
	Config        *registry.KernelConfig `json:"config,omitempty"`
	Signed        bool                   `json:"signed"`
	Attempts      int                    `json:"attempts"`
	RegistryError string                 `json:"registryError,omitempty"`
	BytesPulled   int64                  `json:"bytesPulled"`
	// CachePruned is the bytes the cache dropped after storing this
	// artifact (what it replaced; see Cache.GC).
	CachePruned int64   `json:"cachePruned,omitempty"`
	Timings     Timings `json:"timings"`
	BTF         []byte  `json:"-"` // minimized BTF; nil for SourceKernel
}

// Spec parses the BTF for the loader's KernelTypes. It returns nil, nil when
// the kernel's own BTF is to be used.
func (o *Outcome) Spec() (*btf.Spec, error) {
	if o.Source == SourceKernel || o.BTF == nil {
		return nil, nil
	}
	s, err := btf.LoadSpecFromReader(bytes.NewReader(o.BTF))
	if err != nil {
		return nil, fmt.Errorf("parse fetched BTF %s: %w", o.Digest, err)
	}
	return s, nil
}

func (o Options) withDefaults() Options {
	if o.ProbeVersion == "" {
		o.ProbeVersion = version.ProbeVersion
	}
	if o.Arch == "" {
		o.Arch = runtime.GOARCH
	}
	if o.Deadline <= 0 {
		o.Deadline = 10 * time.Second
	}
	if o.Backoff <= 0 {
		o.Backoff = 100 * time.Millisecond
	}
	if o.AttemptTimeout <= 0 {
		o.AttemptTimeout = min(o.Deadline/3, 2*time.Second)
	}
	return o
}

func (o Options) pull() registry.PullOptions {
	return registry.PullOptions{Verifier: o.Verifier, AllowUnsigned: o.AllowUnsigned}
}

// Fetch returns the BTF for host h from store r (which may be nil when only
// the kernel or the cache can serve). See the package doc.
func Fetch(ctx context.Context, r registry.Reader, h hostinfo.Host, o Options) (*Outcome, error) {
	o = o.withDefaults()
	start := time.Now()
	out := &Outcome{Host: h}
	if r != nil {
		out.Store = fmt.Sprint(r)
	}
	err := fetch(ctx, r, h, o, out)
	out.Timings.Total = time.Since(start)
	o.Metrics.observe(out, err)
	return out, err
}

func fetch(ctx context.Context, r registry.Reader, h hostinfo.Host, o Options, out *Outcome) error {
	p, err := registry.PlatformOf(o.Arch)
	if err != nil {
		out.Source, out.Reason = SourceNone, err.Error()
		return fmt.Errorf("%w: %w", ErrNoBTF, err)
	}
	out.Platform = p.String()
	if h.KernelBTF != "" && !o.Force {
		out.Source, out.Reason = SourceKernel, "the kernel has its own BTF at "+h.KernelBTF+": nothing to fetch"
		return nil
	}
	if m := kernels.MachineArch(o.Arch); h.Key.Arch != m && h.Key.Arch != o.Arch {
		// A sensor built for another arch than the machine reports (an
		// override in tests, or an emulated binary): its probes are for
		// o.Arch, so is the artifact it needs.
		h.Key.Arch = m
		out.Host.Key.Arch = m
	}
	tag, err := registry.KernelTag(o.ProbeVersion, h.Key)
	if err != nil {
		out.Source, out.Reason = SourceNone, err.Error()
		return fmt.Errorf("%w: %w", ErrNoBTF, err)
	}
	regErr := errors.New("no store given")
	if r != nil {
		if regErr = fromStore(ctx, r, h, o, tag, out); regErr == nil {
			return nil
		}
		out.RegistryError = regErr.Error()
	}
	return fromCache(ctx, h, o, tag, out, regErr)
}

func fromStore(ctx context.Context, r registry.Reader, h hostinfo.Host, o Options, tag string, out *Outcome) error {
	dctx, cancel := context.WithTimeout(ctx, o.Deadline)
	defer cancel()
	start := time.Now()
	var k *registry.Kernel
	var rec *recorder
	var err, cause error // cause: the last failure not caused by the deadline
	for {
		out.Attempts++
		rec = newRecorder(r)
		actx, acancel := context.WithTimeout(dctx, o.AttemptTimeout)
		k, out.Via, err = pullOnce(actx, rec, h, o, tag)
		acancel()
		out.BytesPulled += rec.bytes.Load()
		if err != nil && dctx.Err() == nil {
			cause = err
		}
		if err == nil || permanent(err) {
			break
		}
		if retry.Sleep(dctx, retry.Backoff{Base: o.Backoff, Max: 2 * time.Second}.Delay(out.Attempts)) != nil {
			if cause != nil {
				err = fmt.Errorf("boot deadline %s passed; last failure: %w", o.Deadline, cause)
			}
			break
		}
	}
	out.Timings.Fetch = time.Since(start)
	if err != nil {
		return err
	}
	if err := checkDowngrade(ctx, k, o, tag); err != nil {
		return err
	}
	out.fill(k, SourceRegistry)
	out.Reason = fmt.Sprintf("pulled %s via %s and verified (%s) in %s", tag, out.Via, signedWord(k.Signed), out.Timings.Fetch.Round(time.Microsecond))
	if o.Cache != nil {
		cstart := time.Now()
		if err := o.Cache.put(ctx, rec, k, tag); err != nil {
			out.Reason += "; " + err.Error()
		} else if rep, err := o.Cache.GC(ctx, false); err != nil {
			out.Reason += "; " + err.Error()
		} else {
			out.CachePruned = rep.Bytes
		}
		out.Timings.Cache = time.Since(cstart)
	}
	return nil
}

// pullOnce resolves through the kernel tag, then the index.
func pullOnce(ctx context.Context, r registry.Reader, h hostinfo.Host, o Options, tag string) (*registry.Kernel, string, error) {
	k, err := registry.PullKernel(ctx, r, tag, o.pull())
	if err == nil {
		if err = k.Check(h.Key, h.Banner); err == nil {
			return k, "tag", nil
		}
	}
	if !errors.Is(err, registry.ErrNotFound) && !errors.Is(err, registry.ErrKernelMismatch) && !errors.Is(err, registry.ErrPlatformMismatch) {
		return nil, "tag", err
	}
	d, ierr := registry.LookupIndex(ctx, r, o.ProbeVersion, h.Key, h.Banner)
	if ierr != nil {
		return nil, "index", fmt.Errorf("%w (index: %w)", err, ierr)
	}
	if k, err = registry.PullKernel(ctx, r, d, o.pull()); err != nil {
		return nil, "index", err
	}
	return k, "index", k.Check(h.Key, h.Banner)
}

func fromCache(ctx context.Context, h hostinfo.Host, o Options, tag string, out *Outcome, regErr error) error {
	if o.Cache == nil {
		out.Source, out.Reason = SourceNone, "store failed and no cache is configured: "+regErr.Error()
		return fmt.Errorf("%w: %w", ErrNoBTF, regErr)
	}
	start := time.Now()
	k, err := o.Cache.get(ctx, tag, o.pull())
	if err == nil {
		err = k.Check(h.Key, h.Banner)
	}
	out.Timings.Cache = time.Since(start)
	if err != nil {
		out.Source, out.Reason = SourceNone, fmt.Sprintf("store failed (%v) and the cache has nothing usable (%v)", regErr, err)
		return fmt.Errorf("%w: %w; cache: %w", ErrNoBTF, regErr, err)
	}
	out.fill(k, SourceCache)
	out.Reason = fmt.Sprintf("store failed after %d attempt(s) (%v): using the cached artifact %s (%s)", out.Attempts, regErr, k.Manifest.Digest, signedWord(k.Signed))
	return nil
}

// checkDowngrade refuses k when the cache holds an artifact for tag built
// later (a build time is signed in the config; none counts as oldest).
func checkDowngrade(ctx context.Context, k *registry.Kernel, o Options, tag string) error {
	if o.Cache == nil || o.AllowDowngrade {
		return nil
	}
	c, err := o.Cache.get(ctx, tag, o.pull())
	if err != nil || c.Manifest.Digest == k.Manifest.Digest {
		return nil //nolint:nilerr // nothing usable cached: nothing to compare with
	}
	if built(c.Config).After(built(k.Config)) {
		return fmt.Errorf("%w: the store's %s was built %s, the cached %s %s; keeping the cached one (--allow-downgrade accepts an older build)",
			ErrDowngrade, k.Manifest.Digest, builtWord(k.Config), c.Manifest.Digest, builtWord(c.Config))
	}
	return nil
}

func built(c registry.KernelConfig) time.Time {
	if c.Built == nil {
		return time.Time{}
	}
	return *c.Built
}

func builtWord(c registry.KernelConfig) string {
	if c.Built == nil {
		return "at an unknown time"
	}
	return c.Built.Format(time.RFC3339)
}

func (o *Outcome) fill(k *registry.Kernel, src Source) {
	cfg := k.Config
	o.Source, o.Digest, o.Config, o.Signed, o.BTF = src, k.Manifest.Digest.String(), &cfg, k.Signed, k.BTF
}

// permanent reports errors a retry cannot fix: the artifact is missing, for
// another kernel, unsigned or wrongly signed, or not an artifact.
func permanent(err error) bool {
	for _, e := range []error{registry.ErrNotFound, registry.ErrKernelMismatch, registry.ErrPlatformMismatch, registry.ErrUnsigned, registry.ErrBadSignature, registry.ErrInvalidArtifact, ErrDowngrade} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func signedWord(signed bool) string {
	if signed {
		return "signature ok"
	}
	return "UNSIGNED, allowed by --allow-unsigned"
}
