package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"

	"github.com/probehub/probehub/internal/version"
	"github.com/probehub/probehub/sensor/fetch"
)

func newFetchCmd(g *globalFlags) *cobra.Command {
	var c fetch.BootConfig
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "fetch --from layout:PATH|REGISTRY/REPO [--cache DIR] [--host-root DIR] [--verify-key PUB]",
		Short: "Get this node's kernel BTF for the probes, and say where it came from",
		Long: `fetch does what the sensor does at start to find the BTF its CO-RE probes load
with, and prints the chosen artifact and why.

It detects the kernel key from <host-root>/etc/os-release (ID, VERSION_ID),
uname -m and <host-root>/proc/sys/kernel/osrelease, and the banner from
<host-root>/proc/version. A kernel with /sys/kernel/btf/vmlinux needs nothing:
fetch says so unless --force. Otherwise it pulls the kernel's artifact for this
sensor's probe version (the kernel tag, else the kernel index), checks every
digest, the cosign signature against --verify-key and that the banner equals
/proc/version exactly. Unreachable, slow, failing or corrupt registries are
retried with backoff and jitter until --deadline, then the last good artifact
in --cache is used. A corrupt download never replaces a good cached one, and
an artifact built before the cached one (a registry rolled back to an older,
still signed artifact) is refused unless --allow-downgrade.
The cache keeps one artifact per kernel: after caching a newer one, fetch
prunes the artifact, signature and blobs it replaced (see cache gc).
Every read is bounded: answers that are not blobs at 256 KiB, blobs at
4 MiB (refused before any read), the BTF by the size its config states.

One store holds the artifacts of every architecture: each artifact's signed
config names its platform (linux/amd64, linux/arm64) and the kernel index
lists it beside the kernel. fetch wants the platform of this binary
(--arch, default the one it was built for: its probes are compiled for it)
and refuses any other with a message naming both, even when an artifact of
another arch was re-tagged under this kernel's tag (the platform is in the
signed config, so re-tagging cannot change it). Artifacts published before
platforms existed carry none: their platform is their kernel key's arch,
which is signed too.

Exit status 0 when a usable BTF was found (kernel, registry or cache).

Examples:
  probehub-sensor fetch --from registry.local:5000/probehub/btf --verify-key /etc/probehub/probehub.pub \
      --cache /var/lib/probehub/btf --host-root /host
  probehub-sensor fetch --from layout:/srv/oci --allow-unsigned --force --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if c.KeyFile == "" && !c.AllowUnsigned {
				return fmt.Errorf("fetch: no --verify-key: give the public key the artifacts are signed with, or --allow-unsigned")
			}
			fetchMemoryLimit()
			out, err := fetch.Boot(cmd.Context(), c)
			logOutcome(g.logger(), out, err)
			if out != nil && asJSON {
				if jerr := json.NewEncoder(cmd.OutOrStdout()).Encode(out); jerr != nil {
					return jerr
				}
			} else if out != nil {
				fmt.Fprintf(cmd.OutOrStdout(), "%s %s\n  kernel: %s\n  platform: %s\n  banner: %s\n  why: %s\n", out.Source, out.Digest, out.Host.Key, out.Platform, out.Host.Banner, out.Reason)
			}
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&c.From, "from", "", "store: layout:PATH or REGISTRY/REPO")
	fl.StringVar(&c.CacheDir, "cache", "", "node cache directory (a hostPath in a DaemonSet); none by default")
	fl.StringVar(&c.HostRoot, "host-root", "", "where the host's / is mounted (reads etc/os-release and proc/version under it); default /")
	verifyKeyFlag(fl, &c.KeyFile, "PEM public key the artifacts must be signed with (cosign.pub works)")
	fl.BoolVar(&c.AllowUnsigned, "allow-unsigned", false, "accept unsigned artifacts (wrongly signed ones are still refused)")
	fl.BoolVar(&c.AllowDowngrade, "allow-downgrade", false, "accept an artifact built before the one in --cache for this kernel (refused by default: rollback)")
	fl.BoolVar(&c.Force, "force", false, "fetch even when the kernel has its own BTF")
	fl.DurationVar(&c.Deadline, "deadline", 10*time.Second, "how long to try the store before falling back to the cache")
	fl.StringVar(&c.Arch, "arch", runtime.GOARCH, "architecture (Go name: amd64, arm64) whose artifact to fetch; another arch's is refused. Only tests and the kernel matrix need to change it")
	fl.StringVar(&c.ProbeVersion, "probe-version", version.ProbeVersion, "probe version to fetch artifacts for")
	fl.BoolVar(&asJSON, "json", false, "print the outcome as JSON")
	return cmd
}

// fetchMemLimit is the heap the fetch command lets the collector aim for
// (a soft limit: the runtime collects harder as the heap nears it). Every
// read from a store is bounded (manifests 4 MiB, blobs their descriptor's
// size), but a store that keeps failing with large answers makes each retry
// leave up to 8 MiB of garbage; without a limit the default GOGC lets
// several retries' garbage pile up before a collection.
const fetchMemLimit = 12 << 20

// fetchMemoryLimit sets fetchMemLimit unless GOMEMLIMIT or GOGC is set.
func fetchMemoryLimit() {
	if os.Getenv("GOMEMLIMIT") == "" && os.Getenv("GOGC") == "" {
		debug.SetMemoryLimit(fetchMemLimit)
	}
}

// logOutcome writes the one log line every fetch ends with.
func logOutcome(log *slog.Logger, o *fetch.Outcome, err error) {
	if o == nil {
		log.Error("btf fetch failed", "err", err)
		return
	}
	args := []any{"source", o.Source, "kernel", o.Host.Key.String(), "digest", o.Digest, "attempts", o.Attempts,
		"bytes", o.BytesPulled, "ms", float64(o.Timings.Total.Microseconds()) / 1000, "reason", o.Reason}
	switch {
	case err != nil:
		log.Error("btf fetch failed: no usable BTF", append(args, "err", err)...)
	case o.Source == fetch.SourceCache:
		log.Warn("btf from node cache: store unavailable", args...)
	default:
		log.Info("btf ready", args...)
	}
}
