package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/probehub/probehub/registry"
	"github.com/probehub/probehub/registry/sign"
	"github.com/probehub/probehub/wire/buildresult"
)

type publishFlags struct {
	to, signKey, source, genKey, exportDir string
	allowUnsigned, asJSON, prune           bool
	jobs                                   int
}

func newPublishCmd(g *globalFlags) *cobra.Command {
	f := &publishFlags{}
	cmd := &cobra.Command{
		Use:   "publish DIR --to layout:PATH|REGISTRY/REPO [--sign-key KEY]",
		Short: "Publish build results as signed OCI artifacts, one per kernel",
		Long: `publish reads a build output directory (probehub build --out DIR) and stores
one OCI artifact per kernel: a JSON config (kernel key, banner, probe version,
verdict, features, BTF sha256), the minimized BTF (gzip) and the probe object
(one blob shared by every kernel, uploaded once). It then updates the kernel
index of the probe version (tag index-<version>) and moves the floating tags
<X.Y.Z>, <X.Y>, <X> and latest forward (never back).

Every manifest is signed with --sign-key in cosign's key-based layout (tag
sha256-<digest>.sig), so "cosign verify --key probehub.pub --insecure-ignore-tlog"
also accepts it. Publishing unsigned needs --allow-unsigned.

Stores: layout:PATH is an OCI image layout on disk (no server); anything else
is a registry repository, authenticated from the docker config
(docker login / $DOCKER_CONFIG).

Tags: <version>__<ID>__<VERSION_ID>__<arch>__<release>, "+" written "_p",
"~" written "_t" (see registry/README.md).

Examples:
  probehub publish --gen-key probehub            # writes probehub.key and probehub.pub
  probehub publish out/ --to layout:data/oci --sign-key probehub.key
  probehub publish out/ --to registry.local:5000/probehub/btf --sign-key probehub.key
  probehub publish out/ --to layout:data/oci --allow-unsigned --export-btfhub btfhub/
  probehub publish out/ --to layout:data/oci --sign-key probehub.key --prune   # and drop the old signatures`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.genKey != "" {
				return genKey(cmd, f.genKey)
			}
			if len(args) != 1 {
				return errors.New("publish: want the build output directory: probehub publish DIR --to STORE")
			}
			return runPublish(cmd, g, f, args[0])
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.to, "to", "", "store: layout:PATH or REGISTRY/REPO (default layout:<data-dir>/oci)")
	fl.StringVar(&f.signKey, "sign-key", "", "PEM private key to sign with: EC P-256 PKCS#8 or SEC 1, or cosign's encrypted key (password from COSIGN_PASSWORD)")
	fl.BoolVar(&f.allowUnsigned, "allow-unsigned", false, "publish without signatures")
	fl.StringVar(&f.source, "source", "", "org.opencontainers.image.source annotation (e.g. the repository URL)")
	fl.StringVar(&f.genKey, "gen-key", "", "write a new key pair to PREFIX.key and PREFIX.pub and exit")
	fl.StringVar(&f.exportDir, "export-btfhub", "", "also write a btfhub-archive tree (ID/VERSION_ID/arch/release.btf.tar.xz) here")
	fl.IntVar(&f.jobs, "jobs", 8, "parallel uploads")
	fl.BoolVar(&f.asJSON, "json", false, "print the published artifacts as JSON")
	fl.BoolVar(&f.prune, "prune", false, "then remove what no tag or kernel index references any more, as probehub gc --store does (old signatures and artifacts; in a layout also blobs)")
	return cmd
}

func genKey(cmd *cobra.Command, prefix string) error {
	priv, pub, err := sign.GenerateKey()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(prefix), 0o755); err != nil {
		return fmt.Errorf("create the key's directory: %w", err)
	}
	for _, p := range []string{prefix + ".key", prefix + ".pub"} {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("%s exists: not overwriting a key (remove it, or pick another PREFIX)", p)
		}
	}
	if err := os.WriteFile(prefix+".key", priv, 0o600); err != nil {
		return fmt.Errorf("write private key: %w", err)
	}
	if err := os.WriteFile(prefix+".pub", pub, 0o644); err != nil {
		return fmt.Errorf("write public key: %w", err)
	}
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "wrote %s.key (sign with it: publish --sign-key %s.key; keep it secret) and %s.pub (give it to the sensors: probehub-sensor run|fetch --verify-key %s.pub)\n", prefix, prefix, prefix, prefix)
	return err
}

func runPublish(cmd *cobra.Command, g *globalFlags, f *publishFlags, dir string) error {
	log := g.logger()
	o := registry.PublishOptions{Meta: registry.Meta{Source: f.source}, Jobs: f.jobs}
	switch {
	case f.signKey != "":
		b, err := os.ReadFile(f.signKey)
		if err != nil {
			return fmt.Errorf("read signing key: %w", err)
		}
		if o.Signer, err = sign.ParseSigner(b); err != nil {
			return fmt.Errorf("--sign-key %s: %w", f.signKey, err)
		}
	case !f.allowUnsigned:
		return errors.New("publish: no --sign-key: sign the artifacts (probehub publish --gen-key NAME makes a key pair) or pass --allow-unsigned")
	}
	arts, skipped, err := readBuild(dir)
	if err != nil {
		return err
	}
	for _, s := range skipped {
		log.Warn("kernel not published", "kernel", s.key, "reason", s.why)
	}
	if len(arts) == 0 {
		return fmt.Errorf("publish: no publishable kernel in %s (%d skipped): run probehub build first", dir, len(skipped))
	}
	to := f.to
	if to == "" {
		to = "layout:" + filepath.Join(g.dataDir, "oci")
	}
	s, err := registry.Open(to)
	if err != nil {
		return err
	}
	o.Progress = func(done, total int) {
		if done%100 == 0 || done == total {
			log.Info("published", "done", done, "total", total)
		}
	}
	pubs, err := registry.Publish(cmd.Context(), s, arts, o)
	if err != nil {
		return err
	}
	if f.exportDir != "" {
		n, err := registry.ExportBTFHub(cmd.Context(), s, arts[0].ProbeVersion, f.exportDir, registry.PullOptions{Verifier: verifierOf(o.Signer), AllowUnsigned: o.Signer == nil})
		if err != nil {
			return err
		}
		log.Info("exported btfhub-archive tree", "dir", f.exportDir, "files", n)
	}
	var pruned *registry.GCReport
	if f.prune {
		if pruned, err = gcStore(cmd.Context(), log, to, false); err != nil {
			return err
		}
	}
	return printPublished(cmd, f.asJSON, s.String(), pubs, o.Signer != nil, pruned)
}

func verifierOf(s *sign.Signer) *sign.Verifier {
	if s == nil {
		return nil
	}
	return s.Verifier()
}

func printPublished(cmd *cobra.Command, asJSON bool, store string, pubs []registry.Published, signed bool, pruned *registry.GCReport) error {
	w := cmd.OutOrStdout()
	if asJSON {
		out := map[string]any{"store": store, "signed": signed, "artifacts": pubs}
		if pruned != nil {
			out["pruned"] = pruned
		}
		return json.NewEncoder(w).Encode(out)
	}
	for _, p := range pubs {
		fmt.Fprintf(w, "%s:%s@%s\n", store, p.Tag, p.Digest)
	}
	if pruned != nil {
		printStoreGC(w, pruned)
	}
	_, err := fmt.Fprintf(w, "published %d kernel artifacts to %s (signed: %v)\n", len(pubs), store, signed)
	return err
}

type skippedKernel struct{ key, why string }

// readBuild adapts a builder/build output directory to publish inputs:
// every kernel with a minimized BTF and a banner.
func readBuild(dir string) ([]registry.KernelArtifact, []skippedKernel, error) {
	ix, err := buildresult.ReadIndex(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("read build output %s: %w (run probehub build --out %s)", dir, err, dir)
	}
	probes := map[string][]byte{}
	var arts []registry.KernelArtifact
	var skipped []skippedKernel
	for _, e := range ix.Kernels {
		a, why, err := readKernel(dir, e, probes)
		if err != nil {
			return nil, nil, err
		}
		if why != "" {
			skipped = append(skipped, skippedKernel{e.Kernel.String(), why})
			continue
		}
		arts = append(arts, a)
	}
	return arts, skipped, nil
}

func readKernel(dir string, e buildresult.Entry, probes map[string][]byte) (registry.KernelArtifact, string, error) {
	r, err := buildresult.ReadResult(dir, e.Kernel)
	if err != nil {
		return registry.KernelArtifact{}, "", err
	}
	switch {
	case r.MinBTF == "":
		return registry.KernelArtifact{}, "no minimized BTF (" + string(r.Status) + ")", nil
	case r.Banner == "":
		return registry.KernelArtifact{}, "no banner: a node could not check it against /proc/version", nil
	}
	btf, err := os.ReadFile(filepath.Join(dir, buildresult.KernelDir(r.Kernel), r.MinBTF))
	if err != nil {
		return registry.KernelArtifact{}, "", fmt.Errorf("read minimized BTF: %w", err)
	}
	probe, ok := probes[r.ProbeSHA256]
	if !ok {
		if probe, err = os.ReadFile(filepath.Join(dir, buildresult.ProbePath(r.ProbeSHA256))); err != nil {
			return registry.KernelArtifact{}, "", fmt.Errorf("read probe object: %w", err)
		}
		probes[r.ProbeSHA256] = probe
	}
	a := registry.KernelArtifact{Key: r.Kernel, Banner: r.Banner, ProbeVersion: r.ProbeVersion, Verdict: string(r.Status), BTF: btf, ProbeObject: probe, Built: r.BuiltAt}
	for _, reason := range r.Verdict.Reasons {
		a.Reasons = append(a.Reasons, reason.String())
	}
	if r.Variant != "" {
		a.Features = append(a.Features, "variant:"+r.Variant)
	}
	for _, p := range r.Verdict.Programs {
		if p.OK {
			a.Features = append(a.Features, "program:"+p.Name)
		}
	}
	return a, "", nil
}
