package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/probehub/probehub/deploy/image"
)

type imageFlags struct {
	to, platforms, tag, version, source, cache string
	pinValues                                  string
	refresh, asJSON                            bool
}

func newImageCmd(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "image",
		Short: "Build the sensor and server container images without a container engine",
	}
	cmd.AddCommand(newImageBuildCmd(g))
	return cmd
}

func newImageBuildCmd(g *globalFlags) *cobra.Command {
	f := &imageFlags{}
	cmd := &cobra.Command{
		Use:   "build --to layout:PATH|REGISTRY/REPO",
		Short: "Build probehub-sensor and probehub images (multi-arch, reproducible) and store or push them",
		Long: `build compiles probehub-sensor (cgo, for NVML) and probehub (static) with
go build for each --platform and assembles two multi-arch OCI images in Go,
with no container engine:

  probehub-sensor  glibc from Debian's libc6, CA certificates, runs as UID 0
                   with the capabilities the Helm chart grants
  probehub         static, CA certificates, runs as nonroot (65532)

The base is assembled from Debian bookworm packages (ca-certificates, libc6)
fetched once with apt-get into --cache; later builds reuse them, so an
air-gapped machine with a filled cache builds the same images. The build is
reproducible: the same source, version and base packages give the same
digests (file times are SOURCE_DATE_EPOCH, default 0).

--to layout:PATH writes NAME:TAG indexes into an OCI layout (replacing an
earlier NAME:TAG); --to REGISTRY/REPO pushes REGISTRY/REPO/probehub-sensor:TAG
and REGISTRY/REPO/probehub:TAG with the docker config's credentials.

--pin-values FILE writes the digests (and the tag) into the Helm chart's
values (image.sensor and image.server), so the chart's defaults name exactly
the images built: ` + "`make pin-images`" + ` does this for deploy/helm/probehub/values.yaml
with the chart's appVersion as --version and --tag.

Cross builds of the sensor need the target's C compiler for cgo
(apt-get install gcc-aarch64-linux-gnu for linux/arm64).

Examples:
  probehub image build --to layout:out/images
  probehub image build --to ghcr.io/acme/probehub --tag v1.4.0 --version v1.4.0 \
    --platform linux/amd64,linux/arm64 --pin-values deploy/helm/probehub/values.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runImageBuild(cmd, g, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.to, "to", "", "where the images go: layout:PATH or REGISTRY/REPO (required)")
	fl.StringVar(&f.platforms, "platform", "linux/amd64", "platforms, comma-separated: linux/amd64, linux/arm64")
	fl.StringVar(&f.tag, "tag", "", `tag of both images (default: --version, else "dev")`)
	fl.StringVar(&f.version, "version", "", "version stamped into the binaries and labels (default: none)")
	fl.StringVar(&f.source, "source", ".", "the probehub module's root to build from")
	fl.StringVar(&f.cache, "cache", "", "cache for the Debian base packages (default $PROBEHUB_CACHE, else ~/.cache/probehub)")
	fl.BoolVar(&f.refresh, "refresh-base", false, "re-read the Debian suite for newer base packages instead of using the cache")
	fl.BoolVar(&f.asJSON, "json", false, "print what was written as JSON")
	fl.StringVar(&f.pinValues, "pin-values", "", "Helm values file whose image.sensor/image.server digest and tag to set to what was built")
	_ = cmd.MarkFlagRequired("to")
	return cmd
}

func runImageBuild(cmd *cobra.Command, g *globalFlags, f *imageFlags) error {
	log := g.logger()
	plats, err := image.ParsePlatforms(f.platforms)
	if err != nil {
		return fmt.Errorf("--platform: %w", err)
	}
	if f.pinValues != "" {
		if err := checkPinnable(f.pinValues); err != nil {
			return err // before minutes of building
		}
	}
	epoch, err := sourceDateEpoch()
	if err != nil {
		return err
	}
	cache, err := imageCacheDir(f.cache)
	if err != nil {
		return err
	}
	src, err := filepath.Abs(f.source)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(src, "go.mod")); err != nil {
		return fmt.Errorf("--source %s: not a module root (no go.mod): %w", src, err)
	}
	imgs, err := image.Build(cmd.Context(), image.Options{Source: src, Platforms: plats, Version: f.version,
		CacheDir: cache, Epoch: epoch, Refresh: f.refresh, Progress: func(m string) { log.Info(m) }})
	if err != nil {
		return err
	}
	tag := f.tag
	if tag == "" {
		tag = cmp.Or(f.version, "dev")
	}
	written, err := image.Write(cmd.Context(), f.to, tag, imgs)
	if err != nil {
		return err
	}
	if f.pinValues != "" {
		if err := pinValues(f.pinValues, tag, written); err != nil {
			return err
		}
		log.Info("pinned image digests", "values", f.pinValues, "tag", tag)
	}
	if f.asJSON {
		return json.NewEncoder(cmd.OutOrStdout()).Encode(written)
	}
	for _, w := range written {
		fmt.Fprintf(cmd.OutOrStdout(), "%s\t%s\t%s\n", w.Name, w.Ref, w.Digest)
	}
	return nil
}

// sourceDateEpoch reads SOURCE_DATE_EPOCH (reproducible-builds.org); unset
// means the Unix epoch.
func sourceDateEpoch() (time.Time, error) {
	v := os.Getenv("SOURCE_DATE_EPOCH")
	if v == "" {
		return time.Unix(0, 0), nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q: want seconds since 1970: %w", v, err)
	}
	return time.Unix(n, 0), nil
}

func imageCacheDir(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if d := os.Getenv("PROBEHUB_CACHE"); d != "" {
		return d, nil
	}
	uc, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no --cache and no user cache directory: %w", err)
	}
	return filepath.Join(uc, "probehub"), nil
}
