#!/usr/bin/env bash
# Installs what probehub's build, tests and `make run` need on a Debian/Ubuntu
# machine. Idempotent: it only calls apt when something is missing.
set -euo pipefail
pkgs=(clang llvm bpftool libbpf-dev pahole docker-registry qemu-system-x86 qemu-system-arm qemu-user cpio xz-utils zstd lz4 bzip2 wrk chromium binutils dpkg-dev containerd flex bison bc libelf-dev prometheus debian-archive-keyring util-linux jq time)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
	echo "setup: installing ${missing[*]}" >&2
	sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The distribution's docker-registry service must not hold port 5000 or run
# with the system config: tests start their own on 127.0.0.1.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active -q docker-registry 2>/dev/null; then
	systemctl stop docker-registry || true
fi
command -v go >/dev/null || { echo "setup: Go 1.26 is required (https://go.dev/dl)" >&2; exit 1; }
