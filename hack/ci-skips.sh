#!/usr/bin/env bash
# Usage: hack/ci-skips.sh ALLOW-LIST TEST.json...
#
# Prints every test that `go test -json` files say was skipped, with the
# reason the test gave, and exits 1 when one is not on ALLOW-LIST. In CI
# (.ci/run) nothing may skip for want of root, eBPF, a tool, a kernel image
# or shared data: only the skips the allow-list names and explains may.
#
# ALLOW-LIST: one "PACKAGE TEST" per line (package relative to the module,
# top-level test name; a skipped subtest is matched by its test), then a
# reason after "#". Blank lines and lines starting with "#" are comments.
set -euo pipefail
here=$(dirname "$0")
allow=$1
shift
[ -r "$allow" ] || { echo "ci-skips: allow-list $allow not readable" >&2; exit 2; }
for f in "$@"; do
	[ -s "$f" ] || { echo "ci-skips: $f is missing or empty: no test results to check" >&2; exit 2; }
done
allowed=$(sed -e 's/#.*//' -e 's/[[:space:]]*$//' "$allow" | awk 'NF == 2 { print $1 " " $2 }' | sort -u)
skips=$(jq -n -r -f "$here/ci-skips.jq" "$@" | sort)
bad=0 n=0
echo "skipped tests:"
while IFS=$'\t' read -r key why; do
	[ -n "$key" ] || continue
	n=$((n + 1))
	pkg="${key%% *}" test="${key#* }"
	top="$pkg ${test%%/*}"
	if grep -qxF "$top" <<<"$allowed"; then
		printf '  allowed     %s: %s\n' "$key" "$why"
	else
		printf '  NOT ALLOWED %s: %s\n' "$key" "$why"
		bad=$((bad + 1))
	fi
done <<<"$skips"
[ "$n" -gt 0 ] || echo "  none"
if [ "$bad" -gt 0 ]; then
	echo "FAILED: $bad test(s) skipped that $allow does not allow: in CI a test runs or fails, it does not skip for want of root, eBPF, a tool or data" >&2
	exit 1
fi
