#!/bin/bash
# hack/bench-catalog.sh — `make bench-catalog`: the whole catalog for a new
# probe version, as a user runs it, beside `bpftool gen min_core_btf` per
# kernel × the count.
#
# The fixture (TestCatalogFixture in builder/build) is what `probehub build
# --catalog` finds after a first build: a catalog of KERNELS Debian kernels,
# each with its image package's URL (nothing answers it: a download would
# fail the kernel) and sha256, and the BTF cache (DATA/cache/btf) holding
# each kernel's BTF under that sha256. The BTFs are the real ones at hand
# (this machine's /sys/kernel/btf/vmlinux and the Debian 6.1/6.12 BTFs the
# tests extract from real packages), hard-linked under the KERNELS keys: as
# many distinct kernels for the build, a few BTFs on disk.
#
# Then, as a user would:
#   1. probehub build --catalog --object core.o   the previous probe's results
#   2. probehub build --catalog                   the new probe (the sensor's
#                                                 embedded one): every kernel
#                                                 re-judged and re-minimized
#                                                 from the BTF cache (timed)
#   3. probehub build --catalog                   nothing changed (timed)
# and bpftool gen min_core_btf on each BTF at hand, REPS times, for its CPU
# per kernel. CPU is user + sys from /usr/bin/time (of the command and its
# children); on a shared machine it is the steady figure, wall depends on
# the load, printed beside it.
#
# Environment: KERNELS (default 5000), JOBS (default: the number of CPUs),
# REPS (default 10), WORK (default a new temporary directory, removed at
# the end unless KEEP=1).
set -euo pipefail
cd "$(dirname "$0")/.."
KERNELS=${KERNELS:-5000}
JOBS=${JOBS:-$(nproc)}
REPS=${REPS:-10}
WORK=${WORK:-$(mktemp -d /tmp/bench-catalog.XXXXXX)}
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
DATA=$WORK/data
mkdir -p "$DATA"

go build -o "$WORK/probehub" ./cmd/probehub
PROBEHUB_CATALOG_FIXTURE=$DATA PROBEHUB_BENCH_KERNELS=$KERNELS \
	go test -count=1 -run '^TestCatalogFixture$' ./builder/build/ >/dev/null
echo "fixture: $KERNELS kernels, $(ls "$DATA/cache/btf" | grep -c '\.btf$') BTF cache entries, $(du -sh "$DATA" | cut -f1) on disk"

exec 3>&1 # the figures, whatever the timed command's output goes to
load() { cut -d' ' -f1 /proc/loadavg; }
timed() { # name, then the command: prints wall, CPU, peak RSS
	local name=$1 l0 l1
	shift
	l0=$(load)
	/usr/bin/time -f '%e %U %S %M' -o "$WORK/time" "$@"
	l1=$(load)
	read -r wall user sys rss <"$WORK/time"
	awk -v n="$name" -v k="$KERNELS" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v l0="$l0" -v l1="$l1" 'BEGIN {
		printf "%-28s %8.2f s wall %8.2f s CPU  %6.3f ms CPU/kernel  %7.0f kernels/min  peak RSS %4.0f MiB  load %s → %s\n",
			n, w, u + s, (u + s) * 1000 / k, k * 60 / (w > 0 ? w : 0.01), r / 1024, l0, l1 }' >&3
	echo "$(awk '{ print $2 + $3 }' "$WORK/time")" >"$WORK/cpu.$name"
}

ph=("$WORK/probehub" --data-dir "$DATA" build --catalog --out "$DATA/build" --jobs "$JOBS")
timed "previous probe (core.o)" "${ph[@]}" --object builder/minimize/testdata/core.o --arch x86_64 --json -q >"$WORK/old.json"
timed "new probe version" "${ph[@]}" --json >"$WORK/new.json" 2>"$WORK/progress.txt"
timed "rerun, nothing changed" "${ph[@]}" --json -q >"$WORK/rerun.json"
echo "new probe version: $(tr -d ' \n' <"$WORK/new.json" | grep -o '"total":[0-9]*,"built":[0-9]*,"cached":[0-9]*,"from_btf_cache":[0-9]*,"failed":[0-9]*')"
echo "progress (stderr, one line per kernel when not a terminal), the last: $(tail -n 1 "$WORK/progress.txt")"

obj=sensor/probe/bytecode/probe_x86_bpfel.o # the embedded portable probe
total=0 n=0
for btf in "$DATA"/cache/btf/*.btf; do
	ino=$(stat -c %i "$btf")
	case " ${seen:-} " in *" $ino "*) continue ;; esac
	seen="${seen:-} $ino"
	/usr/bin/time -f '%U %S' -o "$WORK/time" sh -c "for i in \$(seq $REPS); do bpftool gen min_core_btf '$btf' '$WORK/min.btf' '$obj'; done"
	total=$(awk -v t="$total" '{ print t + $1 + $2 }' "$WORK/time")
	n=$((n + REPS))
done
new=$(cat "$WORK/cpu.new probe version")
awk -v t="$total" -v n="$n" -v k="$KERNELS" -v ours="$new" 'BEGIN {
	per = t * 1000 / n
	printf "bpftool gen min_core_btf: %.2f ms CPU per kernel (%d runs over the distinct BTFs) × %d = %.1f s CPU\n", per, n, k, per * k / 1000
	printf "ours / bpftool × count: %.3f× CPU (target ≤ 0.1×)\n", ours / (per * k / 1000)
}'
