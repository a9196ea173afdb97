#!/usr/bin/env bash
# `make run`: the main job on the embedded default (an OCI layout in data/).
#   1. catalog the kernels this machine's apt knows (Debian)
#   2. build artifacts for this machine's kernel and three real Debian kernels
#   3. publish them, signed, into the OCI layout data/oci (--prune: what a
#      changed build replaced is removed, so data/oci does not grow)
#   4. serve the compatibility API and matrix page on 127.0.0.1:8080
#   5. run the sensor with the upstream stable rules: it fetches and verifies
#      its artifact from the layout, loads its probes with the minimized BTF
#      and prints the alerts that a few scripted attacks raise
# SERVE_FOR (seconds, default 120; 0 = until Ctrl-C) keeps the server up after.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-data}
SHARED=${SHARED:-../shared/data}
LISTEN=${LISTEN:-127.0.0.1:8080}
SERVE_FOR=${SERVE_FOR:-120}
METRICS_LISTEN=${METRICS_LISTEN:-127.0.0.1:9376}
P=bin/probehub
S=bin/probehub-sensor
[ "$(id -u)" -eq 0 ] || { echo "make run needs root for eBPF: sudo make run" >&2; exit 1; }
[ -f "$SHARED/falco_rules.yaml" ] || { echo "upstream rules not found at $SHARED/falco_rules.yaml (set SHARED=DIR)" >&2; exit 1; }
mkdir -p "$DATA/keys"
step() { printf '\n== %s\n' "$*"; }

step "1. kernel catalog: this machine's apt indexes and its running kernel"
$P --data-dir "$DATA" kernels crawl --source apt:/var/lib/apt/lists --source local:/
$P --data-dir "$DATA" kernels list | sed -n 1,8p

step "2. build: this machine's kernel + three real Debian kernels (downloaded once, cached)"
keys=$($P --data-dir "$DATA" kernels list --json | python3 -c '
import json,sys
pick={}  # the newest 6.1 kernel of each flavour: generic (xz), cloud (lz4), rt
for k in json.load(sys.stdin):
    r=k["release"]
    if k["distro"]=="debian" and r.startswith("6.1.0-"):
        n=int(r.split("-")[1]); fl=r.split("-",2)[2]
        if fl not in pick or n>pick[fl][0]: pick[fl]=(n,"%s/%s/%s/%s"%(k["distro"],k["version_id"],k["arch"],r))
print(" ".join(v[1] for v in pick.values()))')
args=()
for k in $keys; do args+=(--kernel "$k"); done
local=$($P --data-dir "$DATA" kernels list --json | python3 -c '
import json,sys
for k in json.load(sys.stdin):
    if "local" in (k.get("sources") or []): print("%s/%s/%s/%s"%(k["distro"],k["version_id"],k["arch"],k["release"]))')
[ -n "$local" ] && args+=(--kernel "$local")
$P --data-dir "$DATA" build "${args[@]}" --out "$DATA/build"

step "3. publish signed artifacts into the OCI layout $DATA/oci"
[ -f "$DATA/keys/probehub.key" ] || $P publish --gen-key "$DATA/keys/probehub"
$P --data-dir "$DATA" publish "$DATA/build" --to "layout:$DATA/oci" --sign-key "$DATA/keys/probehub.key" --prune

step "4. compatibility API and matrix page on http://$LISTEN"
$P --data-dir "$DATA" serve --listen "$LISTEN" --registry "layout:$DATA/oci" &
serve=$!
trap 'kill $serve 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://$LISTEN/readyz" >/dev/null && break; sleep 0.2; done
facts=$(python3 -c 'import json,os,platform
o=dict(l.strip().split("=",1) for l in open("/etc/os-release") if "=" in l)
print(json.dumps({"distro":o["ID"],"version_id":o["VERSION_ID"].strip("\""),"arch":platform.machine(),
 "release":platform.release(),"proc_version":open("/proc/version").read().strip()}))')
echo "POST /v1/resolve for this node:"
curl -s "http://$LISTEN/v1/resolve" -d "$facts" | python3 -m json.tool | sed -n 1,30p

step "5. sensor: fetch artifact, load probes with its minimized BTF, upstream stable rules"
$S run --rules "$SHARED/falco_rules.yaml" --api "http://$LISTEN" --from "layout:$DATA/oci" --force-artifact \
	--verify-key "$DATA/keys/probehub.pub" --cache "$DATA/node-cache" --output text \
	--metrics-listen "$METRICS_LISTEN" --duration 20s &
sensor=$!
sleep 8
echo "-- attacks: read /etc/shadow, run a binary from /dev/shm, symlink over /etc/shadow, search for AWS keys"
cat /etc/shadow >/dev/null
cp /bin/true /dev/shm/probehub-demo && /dev/shm/probehub-demo; rm -f /dev/shm/probehub-demo
ln -sf /etc/shadow /tmp/probehub-demo-link; rm -f /tmp/probehub-demo-link
grep -rs aws_secret_access_key /tmp/probehub-none >/dev/null || true
wait $sensor || true

if [ "$SERVE_FOR" = 0 ]; then
	step "API still serving on http://$LISTEN — Ctrl-C to stop"
	wait $serve
else
	step "API serving on http://$LISTEN for ${SERVE_FOR}s more (make run SERVE_FOR=0 to keep it up)"
	sleep "$SERVE_FOR"
fi
