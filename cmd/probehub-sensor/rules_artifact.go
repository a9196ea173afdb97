package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/probehub/probehub/registry"
	"github.com/probehub/probehub/registry/rulesfile"
	"github.com/probehub/probehub/registry/sign"
	"github.com/probehub/probehub/sensor/rules"
)

func newRulesPushCmd() *cobra.Command {
	var store, tag, key, name, ver string
	cmd := &cobra.Command{
		Use:   "push FILE... --to STORE --tag TAG",
		Short: "Publish rules files as a signed falcoctl rules artifact",
		Long: `push validates the rules files, then stores them as one OCI artifact in
falcoctl's format (config application/vnd.cncf.falco.rulesfile.config.v1+json,
layer application/vnd.cncf.falco.rulesfile.layer.v1+tar.gz), signed with
--sign-key, under --tag. Sensors follow a tag (run --rules-from STORE
--rules-tag prod) and reload when its digest changes.

Examples:
  probehub-sensor rules push falco_rules.yaml local.yaml --to layout:data/oci --tag staging --sign-key probehub.key
  probehub-sensor rules promote --store layout:data/oci --from staging --to prod --events staging-events.jsonl --verify-key probehub.pub`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			files := map[string][]byte{}
			for _, a := range args {
				b, err := os.ReadFile(a)
				if err != nil {
					return fmt.Errorf("read rules: %w", err)
				}
				if len(bytes.TrimSpace(b)) == 0 {
					return fmt.Errorf("%s: empty rules file", a)
				}
				files[filepath.Base(a)] = b
			}
			engine, err := requiredEngine(files)
			if err != nil {
				return err
			}
			st, err := registry.Open(store)
			if err != nil {
				return err
			}
			var s *sign.Signer
			if key != "" {
				b, err := os.ReadFile(key)
				if err != nil {
					return fmt.Errorf("read signing key: %w", err)
				}
				if s, err = sign.ParseSigner(b); err != nil {
					return fmt.Errorf("--sign-key %s: %w", key, err)
				}
			}
			cfg := rulesfile.Config{Name: name, Version: ver}
			if engine != "" { // as falcoctl writes it, from required_engine_version
				cfg.Requirements = []rulesfile.Requirement{{Name: "engine_version_semver", Version: engine}}
			}
			d, err := rulesfile.Push(cmd.Context(), st, tag, cfg, files, s, "")
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s:%s@%s (%d files, signed: %v)\n", store, tag, d, len(files), s != nil)
			return nil
		},
	}
	cmd.Flags().StringVar(&store, "to", "", "store: layout:PATH or REGISTRY/REPO")
	cmd.Flags().StringVar(&tag, "tag", "staging", "tag to publish under")
	cmd.Flags().StringVar(&key, "sign-key", "", "PEM private key to sign with (default: unsigned)")
	cmd.Flags().StringVar(&name, "name", "probehub-rules", "artifact name in the config")
	cmd.Flags().StringVar(&ver, "version", "0.0.0", "artifact version in the config")
	_ = cmd.MarkFlagRequired("to")
	return cmd
}

func newRulesPromoteCmd() *cobra.Command {
	var store, from, to, key, events string
	var unsigned bool
	cmd := &cobra.Command{
		Use:   "promote --store STORE --from staging --to prod --events EVENTS.jsonl",
		Short: "Retag rules from staging to production after they pass replay on staging events",
		Long: `promote pulls the rules --from names, verifies their signature, loads them and
replays the staging events (as recorded by capture --json, or k8s audit JSON)
through them; only when that passes does it point --to at the same digest.
Nothing reaches production without a staging period.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkEventsFile(events); err != nil {
				return err
			}
			st, err := registry.Open(store)
			if err != nil {
				return err
			}
			po, err := pullOptions(key, unsigned)
			if err != nil {
				return err
			}
			check := func(ctx context.Context, files map[string][]byte) error {
				e, err := loadRuleFiles(files)
				if err != nil {
					return err
				}
				f, err := os.Open(events)
				if err != nil {
					return fmt.Errorf("open staging events: %w", err)
				}
				defer func() { _ = f.Close() }() // read only
				var alerts bytes.Buffer
				if err := replay(ctx, e, f, &alerts); err != nil {
					return fmt.Errorf("replay staging events %s: %w", events, err)
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "replay of %s: %d alerts\n", events, bytes.Count(alerts.Bytes(), []byte{'\n'}))
				return nil
			}
			d, err := rulesfile.Promote(cmd.Context(), st, from, to, po, check)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s:%s → %s (%s)\n", store, from, to, d)
			return nil
		},
	}
	cmd.Flags().StringVar(&store, "store", "", "store: layout:PATH or REGISTRY/REPO")
	cmd.Flags().StringVar(&from, "from", "staging", "tag to promote")
	cmd.Flags().StringVar(&to, "to", "prod", "tag to move")
	verifyKeyFlag(cmd.Flags(), &key, "PEM public key the rules must be signed with")
	cmd.Flags().BoolVar(&unsigned, "allow-unsigned", false, "accept unsigned rules (not for production)")
	cmd.Flags().StringVar(&events, "events", "", "staging events to replay (JSON lines)")
	_ = cmd.MarkFlagRequired("store")
	_ = cmd.MarkFlagRequired("events")
	return cmd
}

func pullOptions(key string, unsigned bool) (registry.PullOptions, error) {
	po := registry.PullOptions{AllowUnsigned: unsigned}
	if key == "" {
		if !unsigned {
			return po, errors.New("give --verify-key PUB to verify the rules' signature, or --allow-unsigned")
		}
		return po, nil
	}
	b, err := os.ReadFile(key)
	if err != nil {
		return po, fmt.Errorf("read public key: %w", err)
	}
	po.Verifier, err = sign.ParseVerifier(b)
	return po, err
}

// loadRuleFiles loads files (base name → content) in name order.
func loadRuleFiles(files map[string][]byte) (*rules.Engine, error) {
	e, err := newEngine()
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var fs []rules.File
	for _, n := range names {
		fs = append(fs, rules.File{Name: n, Data: files[n]})
	}
	if _, err := e.Load(fs...); err != nil {
		return nil, err
	}
	return e, nil
}

// requiredEngine validates files and returns the highest
// required_engine_version among them as a semantic version (an integer N
// is 0.N.0, as the engine reads it), "" when none says one.
func requiredEngine(files map[string][]byte) (string, error) {
	e, err := newEngine()
	if err != nil {
		return "", err
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var fs []rules.File
	for _, n := range names {
		fs = append(fs, rules.File{Name: n, Data: files[n]})
	}
	rep, err := e.Load(fs...)
	if err != nil {
		return "", err
	}
	best := ""
	for _, v := range rep.EngineVersions {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
			v = fmt.Sprintf("0.%d.0", n)
		}
		// v is newer when a sensor at best would not meet it.
		if best == "" || rulesfile.CheckRequirements(rulesfile.Config{Requirements: []rulesfile.Requirement{{Name: "v", Version: v}}}, map[string]string{"v": best}) != nil {
			best = strings.TrimSpace(v)
		}
	}
	return best, nil
}

// checkEventsFile refuses, before anything is pulled, a staging events
// file that cannot hold an event: missing, a directory, or empty.
func checkEventsFile(path string) error {
	if path == "" {
		return errors.New("--events: give the staging events (JSON lines) to replay")
	}
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("--events: %w", err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("--events %s: not a regular file", path)
	}
	if st.Size() == 0 {
		return fmt.Errorf("--events %s: %w", path, errNoEvents)
	}
	return nil
}

// writeRulesDir replaces the rules files in dir with files, each written
// atomically; files no longer in the artifact are removed.
func writeRulesDir(dir string, files map[string][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create rules dir: %w", err)
	}
	for n, b := range files {
		if strings.ContainsAny(n, "/\\") || n == "." || n == ".." {
			return fmt.Errorf("rules artifact: bad file name %q", n)
		}
		tmp := filepath.Join(dir, "."+n+".tmp")
		if err := os.WriteFile(tmp, b, 0o644); err != nil {
			return fmt.Errorf("write rules: %w", err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, n)); err != nil {
			return fmt.Errorf("write rules: %w", err)
		}
	}
	old, _ := filepath.Glob(filepath.Join(dir, "*.y*ml"))
	for _, p := range old {
		if _, keep := files[filepath.Base(p)]; !keep {
			os.Remove(p)
		}
	}
	return nil
}
