#!/usr/bin/env bash
# Builds the external tools the tests use as oracles into a cache directory
# outside the repository (default ~/.cache/probehub/tools, or
# $PROBEHUB_TOOLS) and prints the directory. Each tool is built once from
# the Go module proxy at a pinned version; a second run does nothing.
#
#   hack/tools.sh           build what is missing
#   hack/tools.sh cosign    print the path of the cosign binary (building it)
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
fi
case "${1:-}" in
cosign) echo "$cosign" ;;
*) echo "$dir" ;;
esac
