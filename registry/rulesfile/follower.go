package rulesfile

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/probehub/probehub/registry"
)

// Follower keeps the running rules in step with a tag.
type Follower struct {
	Store registry.Reader
	Tag   string // e.g. "staging", "prod"
	Pull  registry.PullOptions
	// Validate compiles the new rules without running them; an error keeps
	// the running rules.
	Validate func(ctx context.Context, files map[string][]byte) error
	// Reload swaps the running rules; an error keeps the running rules.
	Reload func(ctx context.Context, files map[string][]byte) error
	// Interval between polls in Run; default 1 minute.
	Interval time.Duration

	current  string // digest of the running rules
	rejected string // last digest that failed, not retried until the tag moves
}

// PollResult says what one poll did.
type PollResult struct {
	Digest   string // the tag's digest, "" when the store failed
	Running  string // the digest of the running rules after the poll
	Reloaded bool
	Err      error // why the new rules were not taken (the running ones stay)
}

// Current returns the digest of the running rules ("" before the first
// reload).
func (f *Follower) Current() string { return f.current }

// Poll checks the tag once and reloads on a digest change.
func (f *Follower) Poll(ctx context.Context) PollResult {
	m, err := f.Store.Manifest(ctx, f.Tag)
	if err != nil {
		return PollResult{Running: f.current, Err: fmt.Errorf("poll %s: %w", f.Tag, err)}
	}
	d := m.Digest.String()
	res := PollResult{Digest: d, Running: f.current}
	if d == f.current || d == f.rejected {
		return res
	}
	if res.Err = f.take(ctx, d); res.Err != nil {
		f.rejected = d
		return res
	}
	f.current, res.Running, res.Reloaded = d, d, true
	return res
}

func (f *Follower) take(ctx context.Context, digest string) error {
	rs, err := Pull(ctx, f.Store, digest, f.Pull)
	if err != nil {
		return err
	}
	if f.Validate != nil {
		if err := f.Validate(ctx, rs.Files); err != nil {
			return fmt.Errorf("validate rules %s: %w", digest, err)
		}
	}
	if f.Reload == nil {
		return errors.New("follower has no Reload")
	}
	if err := f.Reload(ctx, rs.Files); err != nil {
		return fmt.Errorf("reload rules %s: %w", digest, err)
	}
	return nil
}

// Run polls until ctx ends, passing every result to report (may be nil).
func (f *Follower) Run(ctx context.Context, report func(PollResult)) error {
	every := f.Interval
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		r := f.Poll(ctx)
		if report != nil {
			report(r)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Promote points tag to at what tag from names, after check passes on the
// verified rules (a replay of staging events). The signature is by digest,
// so it holds for the new tag. It returns the promoted digest.
func Promote(ctx context.Context, s registry.Store, from, to string, o registry.PullOptions, check func(ctx context.Context, files map[string][]byte) error) (string, error) {
	m, err := s.Manifest(ctx, from)
	if err != nil {
		return "", fmt.Errorf("promote %s: %w", from, err)
	}
	rs, err := Pull(ctx, s, m.Digest.String(), o)
	if err != nil {
		return "", fmt.Errorf("promote %s: %w", from, err)
	}
	if check != nil {
		if err := check(ctx, rs.Files); err != nil {
			return "", fmt.Errorf("promote %s to %s: check failed, %s unchanged: %w", from, to, to, err)
		}
	}
	if err := s.PutManifest(ctx, to, m); err != nil {
		return "", fmt.Errorf("promote %s to %s: %w", from, to, err)
	}
	return rs.Digest, nil
}
