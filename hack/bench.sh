#!/bin/bash
# hack/bench.sh — `make bench`: each probehub command side by side with the
# tool it replaces, as a user runs them. Rounds are interleaved (A B, then
# B A, ...) so that load changes hit both sides alike; each side prints the
# median and the min–max of its wall time and of its CPU time (user + sys of
# the command and its children, from /usr/bin/time; 10 ms resolution, so
# short commands run REPS times per sample), and the ratio of the medians.
#
#   extract   probehub btf extract DEB        vs  dpkg-deb -x + extract-vmlinux + objcopy
#                                                 (builder/extract/testdata/reference.sh)
#   minimize  probehub btf minimize --btf K   vs  bpftool gen min_core_btf K
#   stream    probehub btf extract URL        vs  curl of the same URL (the download alone),
#             --sha256 SUM (time to a verified        from a local server at STREAM_RATE (hack/slowserve):
#             BTF)                                    one package per compression
#   fetch     probehub-sensor fetch --force   vs  crane pull + cosign verify --key, the same
#             (resolve, pull, verify)                 signed artifact in a docker-registry on 127.0.0.1
#   replay    probehub-sensor replay          vs  jq empty (a plain JSON parse), same file
#   capture   a find(1) walk of /usr           vs  the same walk while `capture --json` runs
#
# Inputs: the real Debian kernel packages the tests download and cache
# (internal/debcache: $PROBEHUB_CACHE or ~/.cache/probehub/debs), this
# machine's /sys/kernel/btf/vmlinux, the recorded capture in
# cmd/probehub-sensor/testdata/replay repeated to REPLAY_LINES lines.
#
# Environment: ROUNDS (default 5), BENCH (comma list, default all six),
# BIN (default bin), RULES (default ../shared/data/falco_rules.yaml),
# STREAM_RATE (default 20MB: bytes per second the local server sends),
# STREAM_URL and STREAM_SHA256 (a package on a real mirror, timed the same
# way when set). crane and cosign come from hack/tools.sh (built once).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
BENCH=${BENCH:-extract,minimize,stream,fetch,replay,capture}
STREAM_RATE=${STREAM_RATE:-20MB}
BIN=${BIN:-bin}
RULES=${RULES:-../shared/data/falco_rules.yaml}
REPLAY_LINES=${REPLAY_LINES:-200000}
CACHE=${PROBEHUB_CACHE:-$HOME/.cache/probehub}
OBJ=sensor/probe/bytecode/probe_x86_bpfel.o # the portable probe: what minimize uses by default
work=$(mktemp -d)
cleanup() {
	local p
	for p in ${cap_pid:-} ${srv_pid:-} ${reg_pid:-}; do
		kill "$p" 2>/dev/null
	done
	rm -rf "$work"
}
trap cleanup EXIT

for tool in /usr/bin/time dpkg-deb objcopy bpftool jq curl docker-registry; do
	command -v "$tool" >/dev/null || {
		echo "bench: $tool is missing: run make setup" >&2
		exit 1
	}
done
[ -x "$BIN/probehub" ] && [ -x "$BIN/probehub-sensor" ] || {
	echo "bench: $BIN/probehub and $BIN/probehub-sensor are missing: run make build" >&2
	exit 1
}

# sample NAME REPS CMD...: run CMD REPS times, append "wall cpu" (seconds per
# run) to $work/NAME.
sample() {
	local name=$1 reps=$2 t0 t1
	shift 2
	t0=$(date +%s%N)
	if ! /usr/bin/time -f "%U %S" -o "$work/time" bash -c 'for ((i = 0; i < '"$reps"'; i++)); do "$@" >/dev/null 2>"'"$work"'/stderr" || exit 1; done' _ "$@"; then
		echo "bench: $name: $* failed:" >&2
		tail -5 "$work/stderr" >&2
		exit 1
	fi
	t1=$(date +%s%N)
	awk -v w=$(((t1 - t0) / reps)) -v n="$reps" '{printf "%.6f %.6f\n", w / 1e9, ($1 + $2) / n}' "$work/time" >>"$work/$name"
}

# stats FILE COLUMN: "median min max" of one column.
stats() {
	sort -g -k"$2" "$1" | awk -v c="$2" '{v[NR] = $c} END {m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%g %g %g", m, v[1], v[NR]}'
}

fmt() { awk -v s="$1" -v lo="$2" -v hi="$3" 'BEGIN {u = s < 1 ? 1000 : 1; n = s < 1 ? "ms" : "s"; printf "%.*f %s (%.*f–%.*f)", (u > 1 ? 1 : 2), s * u, n, (u > 1 ? 1 : 2), lo * u, (u > 1 ? 1 : 2), hi * u}'; }

# compare LABEL A B: print one row per column (wall, cpu) with the ratio A/B.
compare() {
	local label=$1 a=$2 b=$3 col what
	for col in 1 2; do
		what=$([ $col = 1 ] && echo wall || echo cpu)
		read -r am alo ahi <<<"$(stats "$work/$a" $col)"
		read -r bm blo bhi <<<"$(stats "$work/$b" $col)"
		printf '%-44s %-5s %-28s %-28s %s\n' "$label" "$what" "$(fmt "$am" "$alo" "$ahi")" "$(fmt "$bm" "$blo" "$bhi")" \
			"$(awk -v a="$am" -v b="$bm" 'BEGIN {printf "%.3f×", (b > 0 ? a / b : 0)}')"
	done
}

# rounds A-NAME A-REPS A-CMD B-NAME B-REPS B-CMD: interleaved rounds.
# Commands are strings run by bash -c, so they may prepare their outputs.
rounds() {
	local i
	for ((i = 0; i < ROUNDS; i++)); do
		if ((i % 2 == 0)); then
			sample "$1" "$2" bash -c "$3"
			sample "$4" "$5" bash -c "$6"
		else
			sample "$4" "$5" bash -c "$6"
			sample "$1" "$2" bash -c "$3"
		fi
	done
}

header() {
	echo
	printf '%-44s %-5s %-28s %-28s %s\n' "$1" "" "$2 median (min–max)" "$3 median (min–max)" "ratio"
}

echo "probehub bench: $(date -u +%FT%TZ), $(nproc) cores, $ROUNDS interleaved rounds, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
debs=()
for d in "$CACHE"/debs/linux-image-*_amd64.deb; do # this machine's arch: bpftool and the reference need a vmlinux ELF
	[[ -f $d && $d != *-dbg_* ]] && debs+=("$d") # not the -dbg packages: a 600 MB vmlinux, no vmlinuz
done

if [[ ,$BENCH, == *,extract,* ]]; then
	((${#debs[@]})) || echo "extract: no cached kernel packages in $CACHE/debs (go test ./builder/extract/ downloads them)" >&2
	header ".deb → BTF" "probehub btf extract" "dpkg-deb+extract-vmlinux+objcopy"
	for d in "${debs[@]}"; do
		n=$(basename "$d" .deb)
		rounds "x-$n" 1 "$BIN/probehub btf extract $d -o $work/x.btf" \
			"r-$n" 1 "rm -rf $work/ref; builder/extract/testdata/reference.sh $d $work/ref"
		comp=$("$BIN/probehub" btf extract "$d" -o "$work/k-$n.btf" --json | jq -r '.compression // empty')
		compare "${n#linux-image-} ${comp:+($comp)}" "x-$n" "r-$n"
	done
fi

if [[ ,$BENCH, == *,minimize,* ]]; then
	header "minimize (per run)" "probehub btf minimize" "bpftool gen min_core_btf"
	kernels=()
	[ -r /sys/kernel/btf/vmlinux ] && cp /sys/kernel/btf/vmlinux "$work/host.btf" && kernels+=("$work/host.btf")
	for d in "${debs[@]}"; do
		n=$(basename "$d" .deb)
		[ -f "$work/k-$n.btf" ] || "$BIN/probehub" btf extract "$d" -o "$work/k-$n.btf" >/dev/null
		kernels+=("$work/k-$n.btf")
	done
	for k in "${kernels[@]}"; do
		n=$(basename "$k" .btf)
		rounds "m-$n" 5 "$BIN/probehub btf minimize --btf $k --object $OBJ -o $work/m.btf" \
			"b-$n" 5 "bpftool gen min_core_btf $k $work/b.btf $OBJ"
		compare "${n#k-linux-image-}" "m-$n" "b-$n"
		if cmp -s "$work/m.btf" "$work/b.btf"; then
			printf '%-44s %s\n' "" "outputs byte-identical ($(stat -c %s "$work/m.btf") bytes)"
		else
			printf '%-44s %s\n' "" "outputs DIFFER ($(stat -c %s "$work/m.btf") and $(stat -c %s "$work/b.btf") bytes)"
		fi
	done
fi

# freeport: a free TCP port on 127.0.0.1.
freeport() {
	local p
	for ((;;)); do
		p=$((20000 + RANDOM % 20000))
		(: </dev/tcp/127.0.0.1/$p) 2>/dev/null || {
			echo "$p"
			return
		}
	done
}

if [[ ,$BENCH, == *,stream,* ]]; then
	go build -o "$work/slowserve" ./hack/slowserve
	"$work/slowserve" -dir "$CACHE/debs" -listen "127.0.0.1:$(freeport)" -rate "$STREAM_RATE" >"$work/srv.addr" 2>"$work/srv.log" &
	srv_pid=$!
	for ((i = 0; i < 50; i++)); do
		[ -s "$work/srv.addr" ] && break
		sleep 0.1
	done
	addr=$(head -1 "$work/srv.addr")
	header "streamed .deb → BTF, server at $STREAM_RATE/s" "btf extract URL (verified)" "curl URL (download only)"
	declare -A seen=()
	urls=() sums=() names=()
	for d in "${debs[@]}"; do
		n=$(basename "$d" .deb)
		comp=$("$BIN/probehub" btf extract "$d" --json | jq -r '.compression // empty')
		[ -n "${seen[$comp]:-}" ] && continue # one package per compression
		seen[$comp]=1
		urls+=("http://$addr/$(basename "$d")") sums+=("$(sha256sum "$d" | cut -d' ' -f1)") names+=("${n#linux-image-} ($comp)")
	done
	if [ -n "${STREAM_URL:-}" ]; then
		urls+=("$STREAM_URL") sums+=("${STREAM_SHA256:-}") names+=("$(basename "$STREAM_URL" .deb) (real mirror)")
	fi
	for i in "${!urls[@]}"; do
		u=${urls[$i]}
		rounds "s-$i" 1 "$BIN/probehub btf extract $u ${sums[$i]:+--sha256 ${sums[$i]}} -o $work/s.btf" \
			"c-$i" 1 "curl -sf -o /dev/null $u"
		compare "${names[$i]}" "s-$i" "c-$i"
	done
	kill "$srv_pid" 2>/dev/null
	wait "$srv_pid" 2>/dev/null || true
	srv_pid=
fi

if [[ ,$BENCH, == *,fetch,* ]]; then
	crane=$(hack/tools.sh crane)
	cosign=$(hack/tools.sh cosign)
	port=$(freeport)
	mkdir -p "$work/reg"
	printf 'version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
		"$work/reg" "$port" >"$work/reg.yml"
	docker-registry serve "$work/reg.yml" >"$work/reg.log" 2>&1 &
	reg_pid=$!
	for ((i = 0; i < 100; i++)); do
		curl -sf -o /dev/null "http://127.0.0.1:$port/v2/" && break
		sleep 0.1
	done
	# This machine's kernel, built and published signed, as a node would find it.
	. /etc/os-release
	cp /sys/kernel/btf/vmlinux "$work/$(uname -r).btf"
	"$BIN/probehub" build --btf "$work/$(uname -r).btf" --banner "$(cat /proc/version)" --distro "$ID" \
		--version-id "${VERSION_ID:-}" --arch "$(uname -m)" --out "$work/fbuild" -q >/dev/null
	(cd "$work" && "$OLDPWD/$BIN/probehub" publish --gen-key sig >/dev/null)
	repo=127.0.0.1:$port/probehub/btf
	tag=$("$BIN/probehub" publish "$work/fbuild" --to "$repo" --sign-key "$work/sig.key" --json 2>/dev/null | jq -r '.artifacts[0].tag')
	header "node fetch, registry on 127.0.0.1 (per run)" "probehub-sensor fetch" "crane pull + cosign verify"
	rounds fetch 5 "$BIN/probehub-sensor fetch --from $repo --verify-key $work/sig.pub --force" \
		crane 5 "$crane pull --insecure $repo:$tag $work/img.tar && $cosign verify --key $work/sig.pub --insecure-ignore-tlog=true --allow-insecure-registry $repo:$tag"
	compare "resolve + pull + verify signature" fetch crane
	kill "$reg_pid" 2>/dev/null
	wait "$reg_pid" 2>/dev/null || true
	reg_pid=
fi

if [[ ,$BENCH, == *,replay,* ]]; then
	gunzip -c cmd/probehub-sensor/testdata/replay/capture.jsonl.gz >"$work/one.jsonl"
	: >"$work/events.jsonl"
	while [ "$(wc -l <"$work/events.jsonl")" -lt "$REPLAY_LINES" ]; do
		cat "$work/one.jsonl" >>"$work/events.jsonl"
	done
	lines=$(wc -l <"$work/events.jsonl")
	header "replay, $lines recorded events ($(($(stat -c %s "$work/events.jsonl") / 1048576)) MiB)" "probehub-sensor replay" "jq empty"
	rounds replay 1 "$BIN/probehub-sensor replay --rules $RULES --events $work/events.jsonl" \
		jq 1 "jq empty $work/events.jsonl"
	compare "replay vs a plain JSON parse" replay jq
	read -r cm _ _ <<<"$(stats "$work/replay" 2)"
	read -r wm _ _ <<<"$(stats "$work/replay" 1)"
	awk -v l="$lines" -v c="$cm" -v w="$wm" 'BEGIN {printf "%-44s events/s: %.0f per CPU second, %.0f per wall second\n", "replay", l / c, l / w}'
fi

if [[ ,$BENCH, == *,capture,* ]]; then
	if [ "$(id -u)" != 0 ]; then
		echo "capture: needs root (eBPF); skipped" >&2
	else
		walk="find /usr/share /usr/lib -xdev"
		rounds bare 1 "$walk" bare2 1 "$walk" # warm the dentry cache; discarded
		rm -f "$work/bare" "$work/bare2"
		for ((i = 0; i < ROUNDS; i++)); do
			sample bare 1 bash -c "$walk"
			"$BIN/probehub-sensor" capture --json >/dev/null 2>"$work/cap.log" &
			cap_pid=$!
			sleep 3 # the probe is attached well within this, even loaded
			sample probed 1 bash -c "$walk"
			kill -INT "$cap_pid"
			wait "$cap_pid" 2>/dev/null || true
			cap_pid=
		done
		header "capture (find over /usr/share, /usr/lib)" "with capture --json" "no probe"
		compare "walk with the probe vs without" probed bare
	fi
fi
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
