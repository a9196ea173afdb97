#!/usr/bin/env bash
# Runs every fuzz target of the module for $1 (default 10s) each. Go fuzzes
# one target of one package per invocation; the targets are found with
# `go test -list '^Fuzz'`, so a new FuzzXxx runs without being listed here.
# Inputs that find new coverage are minimized for at most
# $FUZZMINIMIZETIME (default 2s: with Go's 60s default a few large real
# seeds spend the whole budget minimizing). Every target runs even after a
# failure; the exit status is non-zero if any failed, and the failures are
# listed at the end (a crasher is in that package's testdata/fuzz/FuzzXxx/).
# Go 1.26's coordinator can fail a target with a bare "context deadline
# exceeded" at the -fuzztime boundary without any failing input
# (golang/go#75804, fixed in Go 1.27): such a run is retried once, and only
# counted as a failure if it fails again.
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
		for try in 1 2; do
			out=$(mktemp)
			go test -run '^$' -fuzz "^${f}\$" -fuzztime "$t" -fuzzminimizetime "$min" "$pkg" 2>&1 | tee "$out"
			rc=${PIPESTATUS[0]}
			spurious=0
			if [ "$rc" -ne 0 ] && grep -q '^    context deadline exceeded$' "$out" && ! grep -q 'Failing input written' "$out"; then
				spurious=1
			fi
			rm -f "$out"
			if [ "$rc" -eq 0 ]; then
				break
			elif [ "$spurious" -eq 1 ] && [ "$try" -eq 1 ]; then
				echo "== $f: 'context deadline exceeded' without a failing input (golang/go#75804): once more"
			else
				failed+=("$pkg $f")
				break
			fi
		done
	done
done
echo "fuzzed $n targets for $t each"
if [ ${#failed[@]} -gt 0 ]; then
	printf 'FAILED: %s\n' "${failed[@]}" >&2
	exit 1
fi
