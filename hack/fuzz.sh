#!/usr/bin/env bash
# Runs every fuzz target of the module for $1 (default 10s) each. Go fuzzes
# one target of one package per invocation; the targets are found with
# `go test -list '^Fuzz'`, so a new FuzzXxx runs without being listed here.
# Inputs that find new coverage are minimized for at most
# $FUZZMINIMIZETIME (default 2s: with Go's 60s default a few large real
# seeds spend the whole budget minimizing). Every target runs even after a
# failure; the exit status is non-zero if any failed, and the failures are
# listed at the end (a crasher is in that package's testdata/fuzz/FuzzXxx/).
set -uo pipefail
t=${1:-10s}
min=${FUZZMINIMIZETIME:-2s}
cd "$(dirname "$0")/.."
failed=()
n=0
for pkg in $(go list ./...); do
	targets=$(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep -E '^Fuzz') || continue
	for f in $targets; do
		n=$((n + 1))
		echo "== fuzz $pkg $f ($t)"
		if ! go test -run '^$' -fuzz "^${f}\$" -fuzztime "$t" -fuzzminimizetime "$min" "$pkg"; then
			failed+=("$pkg $f")
		fi
	done
done
echo "fuzzed $n targets for $t each"
if [ ${#failed[@]} -gt 0 ]; then
	printf 'FAILED: %s\n' "${failed[@]}" >&2
	exit 1
fi
