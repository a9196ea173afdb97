package fetch

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/probehub/probehub/registry"
	"github.com/probehub/probehub/registry/sign"
	"github.com/probehub/probehub/sensor/hostinfo"
)

// BootConfig is what a sensor start needs to get its BTF; the zero value
// detects this host and needs only the kernel's own BTF.
type BootConfig struct {
	From     string // store: layout:PATH or REGISTRY/REPO; "" for none
	CacheDir string // node cache directory; "" for no cache
	HostRoot string // where the host's / is mounted; "" for /
	KeyFile  string // PEM public key the artifacts must be signed with
	Options         // the rest; Verifier and Cache are set from KeyFile and CacheDir
}

// LoadVerifier reads the PEM public key at path. The deploy manifests'
// placeholder is refused (sign.ErrPlaceholderKey); errors name path.
func LoadVerifier(path string) (*sign.Verifier, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read public key: %w", err)
	}
	v, err := sign.ParseVerifier(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// Boot detects the host, opens the store and cache, and fetches: the one
// call a sensor makes before loading its probes. Outcome.Timings.Detect
// holds the detection time; Total covers everything.
func Boot(ctx context.Context, c BootConfig) (*Outcome, error) {
	start := time.Now()
	h, err := hostinfo.Detect(c.HostRoot)
	if err != nil {
		return &Outcome{Source: SourceNone, Reason: err.Error()}, fmt.Errorf("%w: %w", ErrNoBTF, err)
	}
	detect := time.Since(start)
	o := c.Options
	if c.KeyFile != "" {
		if o.Verifier, err = LoadVerifier(c.KeyFile); err != nil {
			return nil, err
		}
	}
	if c.CacheDir != "" {
		if o.Cache, err = OpenCache(c.CacheDir); err != nil {
			return nil, err
		}
	}
	var r registry.Reader
	if c.From != "" {
		s, err := registry.OpenReader(c.From, registry.WithoutRetries(), registry.WithAnswerLimit(MaxAnswer), registry.WithBlobLimit(MaxBlob))
		if err != nil {
			return nil, err
		}
		r = s
	}
	out, err := Fetch(ctx, r, h, o)
	out.Timings.Detect = detect
	out.Timings.Total = time.Since(start)
	return out, err
}
