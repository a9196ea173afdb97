#!/usr/bin/env bash
# Builds Falco's event-generator as a static binary for
# TestLiveEventGenerator (the pod it runs in has no libc):
#
#   hack/event-generator.sh DIR   # DIR: a checkout of falcosecurity/event-generator
#
# The Go module proxy does not serve the module, so a checkout is needed
# (git clone https://github.com/falcosecurity/event-generator). The binary
# goes to $PROBEHUB_TOOLS (default ~/.cache/probehub/tools)/event-generator.
set -euo pipefail
src=${1:?usage: hack/event-generator.sh DIR (a checkout of falcosecurity/event-generator)}
if [[ ! -f $src/go.mod ]] || ! grep -q '^module github.com/falcosecurity/event-generator$' "$src/go.mod"; then
	echo "event-generator.sh: $src is not a checkout of github.com/falcosecurity/event-generator (no such module in go.mod)" >&2
	exit 2
fi
tools=${PROBEHUB_TOOLS:-$HOME/.cache/probehub/tools}
mkdir -p "$tools"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A copy: the bundler writes a generated file into the tree.
cp -a "$src/." "$work/"
cd "$work"
echo "event-generator.sh: bundling the k8saudit YAML (its Makefile's step)" >&2
GOOS= GOARCH= go run ./tools/file-bundler/ events/k8saudit/yaml
echo "event-generator.sh: building a static binary" >&2
CGO_ENABLED=0 go build -trimpath -o "$tools/event-generator" .
echo "$tools/event-generator"
