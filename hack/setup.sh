#!/usr/bin/env bash
# Installs what probehub's build, tests and `make run` need on a Debian/Ubuntu
# machine. Idempotent: it only calls apt when something is missing.
set -euo pipefail
pkgs=(clang llvm bpftool libbpf-dev pahole docker-registry qemu-system-x86 qemu-system-arm qemu-user cpio xz-utils zstd lz4 bzip2 wrk chromium gcc-aarch64-linux-gnu libc6-dev-arm64-cross binutils dpkg-dev containerd runc busybox-static flex bison bc libelf-dev prometheus debian-archive-keyring util-linux jq time curl file nmap netcat-openbsd cron sudo pkexec dnsmasq-base ncat iproute2 strace openssh-client e2fsprogs login)
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
# Ubuntu's archive keyring (the InRelease signing keys of archive.ubuntu.com),
# for `kernels crawl` of Ubuntu mirrors and its test. Debian 12 does not
# package ubuntu-keyring; Debian 13 (trixie) does: take that .deb from the
# Debian mirror, pinned by the sha256 trixie's signed Packages index lists.
ubuntu_keyring=/usr/share/keyrings/ubuntu-archive-keyring.gpg
if [ ! -s "$ubuntu_keyring" ] && ! dpkg-query -W -f='${Status}' ubuntu-keyring 2>/dev/null | grep -q "install ok installed"; then
	deb=ubuntu-keyring_2023.11.28.1-0.2_all.deb
	sum=b2e7ed48431bf9e7978ae810bbdaf253093570d6e3f864e575b7c13554b81174
	tmp=$(mktemp -d)
	echo "setup: installing $deb from Debian trixie" >&2
	curl -fsS --retry 3 -o "$tmp/$deb" "http://deb.debian.org/debian/pool/main/u/ubuntu-keyring/$deb"
	echo "$sum  $tmp/$deb" | sha256sum -c --quiet -
	sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo dpkg -i "$tmp/$deb" >/dev/null
	rm -rf "$tmp"
fi
command -v go >/dev/null || { echo "setup: Go 1.26 is required (https://go.dev/dl)" >&2; exit 1; }
