#!/usr/bin/env bash
# Builds the external tools the tests use as oracles into a cache directory
# outside the repository (default ~/.cache/probehub/tools, or
# $PROBEHUB_TOOLS) and prints the directory. Each tool is built once from
# the Go module proxy at a pinned version; a second run does nothing.
#
#   hack/tools.sh           build what is missing
#   hack/tools.sh cosign    print the path of the cosign binary (building it)
#   hack/tools.sh oras      the same for oras (crane likewise)
#   hack/tools.sh crane     the same for crane (go-containerregistry, the
#                           version go.mod pins: make bench's fetch baseline)
set -euo pipefail
COSIGN_VERSION=${COSIGN_VERSION:-v3.1.3}
dir=${PROBEHUB_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/probehub/tools}
mkdir -p "$dir"
cosign="$dir/cosign-$COSIGN_VERSION"
if [ ! -x "$cosign" ]; then
	echo "tools: building cosign $COSIGN_VERSION into $dir (once; several minutes)" >&2
	tmp=$(mktemp -d "$dir/.build.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	# -trimpath and CGO off: a static binary independent of this checkout.
	GOBIN="$tmp" CGO_ENABLED=0 GOFLAGS=-trimpath \
		go install "github.com/sigstore/cosign/v3/cmd/cosign@$COSIGN_VERSION" >&2
	mv "$tmp/cosign" "$cosign"
	rm -rf "$tmp"
fi
CRANE_VERSION=${CRANE_VERSION:-$(cd "$(dirname "$0")/.." && go list -m -f '{{.Version}}' github.com/google/go-containerregistry)}
crane="$dir/crane-$CRANE_VERSION"
if [ ! -x "$crane" ]; then
	echo "tools: building crane $CRANE_VERSION into $dir (once)" >&2
	tmp=$(mktemp -d "$dir/.build.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	GOBIN="$tmp" CGO_ENABLED=0 GOFLAGS=-trimpath \
		go install "github.com/google/go-containerregistry/cmd/crane@$CRANE_VERSION" >&2
	mv "$tmp/crane" "$crane"
	rm -rf "$tmp"
fi
# oras: pushes falcoctl-format rules artifacts in tests (falcoctl pushes with
# oras-go; falcoctl itself is not on the Go module proxy).
ORAS_VERSION=${ORAS_VERSION:-v1.3.6}
oras="$dir/oras-$ORAS_VERSION"
if [ ! -x "$oras" ]; then
	echo "tools: building oras $ORAS_VERSION into $dir (once)" >&2
	tmp=$(mktemp -d "$dir/.build.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	GOBIN="$tmp" CGO_ENABLED=0 GOFLAGS=-trimpath \
		go install "oras.land/oras/cmd/oras@$ORAS_VERSION" >&2
	mv "$tmp/oras" "$oras"
	rm -rf "$tmp"
fi
case "${1:-}" in
cosign) echo "$cosign" ;;
crane) echo "$crane" ;;
oras) echo "$oras" ;;
*) echo "$dir" ;;
esac
