package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/pflag"

	"github.com/probehub/probehub/registry"
	"github.com/probehub/probehub/registry/rulesfile"
	"github.com/probehub/probehub/sensor/agent"
)

// rulesFromFlags make `run` follow a rules artifact tag.
type rulesFromFlags struct {
	store, tag, dir string
	poll            time.Duration
}

func (r *rulesFromFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&r.store, "rules-from", "", "follow a falcoctl rules artifact in this store (layout:PATH or REGISTRY/REPO)")
	fl.StringVar(&r.tag, "rules-tag", "prod", "tag of the rules artifact to follow")
	fl.StringVar(&r.dir, "rules-dir", "/var/lib/probehub/rules", "where the followed rules are written (loaded after --rules)")
	fl.DurationVar(&r.poll, "rules-poll", time.Minute, "how often to check the rules tag")
}

// follower pulls the tag once (so the sensor starts with its rules) and
// returns a Follower whose reloads go to the agent once it exists. New rules
// are validated together with --rules before they replace the running ones.
func (r *rulesFromFlags) follower(ctx context.Context, log *slog.Logger, f *runFlags, key string, unsigned bool, ag *atomic.Pointer[agent.Agent]) (*rulesfile.Follower, error) {
	st, err := registry.Open(r.store)
	if err != nil {
		return nil, err
	}
	po, err := pullOptions(key, unsigned)
	if err != nil {
		return nil, fmt.Errorf("--rules-from: %w", err)
	}
	fw := &rulesfile.Follower{Store: st, Tag: r.tag, Pull: po, Interval: r.poll,
		Validate: func(_ context.Context, files map[string][]byte) error {
			tmp, err := os.MkdirTemp("", "probehub-rules")
			if err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
			if err := writeRulesDir(tmp, files); err != nil {
				return err
			}
			_, _, err = agent.NewEngine(agent.RulesConfig{Paths: append(append([]string(nil), f.rules...), tmp)}, nil)
			return err
		},
		Reload: func(_ context.Context, files map[string][]byte) error {
			if err := writeRulesDir(r.dir, files); err != nil {
				return err
			}
			if a := ag.Load(); a != nil {
				return a.Reload()
			}
			return nil
		},
	}
	res := fw.Poll(ctx)
	res.Err = rulesHint(res.Err, r.store, res.Digest)
	if res.Err != nil && res.Running == "" {
		if _, err := os.Stat(r.dir); err != nil {
			return nil, fmt.Errorf("rules artifact %s:%s: %w", r.store, r.tag, res.Err)
		}
		log.Warn("rules artifact unavailable; using the rules last written", "dir", r.dir, "err", res.Err)
	} else {
		log.Info("rules artifact", "store", r.store, "tag", r.tag, "digest", res.Running)
	}
	return fw, nil
}

// rulesHint adds what to do to a follower's error: an unsigned or wrongly
// signed artifact names --verify-key (the flag that set the key).
func rulesHint(err error, store, digest string) error {
	switch {
	case errors.Is(err, registry.ErrUnsigned):
		return fmt.Errorf("%w: sign the rules with the private key whose public key --verify-key names (falcoctl pushes them unsigned: `cosign sign --key cosign.key %s@%s`), or pass --allow-unsigned", err, strings.TrimPrefix(store, "layout:"), digest)
	case errors.Is(err, registry.ErrBadSignature):
		return fmt.Errorf("%w: the signature does not match --verify-key's public key", err)
	}
	return err
}

func reportRules(log *slog.Logger, store string) func(rulesfile.PollResult) {
	return func(p rulesfile.PollResult) {
		p.Err = rulesHint(p.Err, store, p.Digest)
		switch {
		case p.Err != nil:
			log.Error("new rules not taken; keeping the running rules", "digest", p.Digest, "running", p.Running, "err", p.Err)
		case p.Reloaded:
			log.Info("rules reloaded from artifact", "digest", p.Running)
		}
	}
}
