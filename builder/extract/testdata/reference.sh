#!/bin/bash
# reference.sh DEB WORKDIR [boot]
# reference.sh VMLINUZ WORKDIR image
#
# The shell pipeline the Go extraction is checked and timed against:
# dpkg-deb -x, then the method of the kernel's scripts/extract-vmlinux (find
# each offset of a compression magic in the image and run the matching
# decompressor CLI from there until an ELF comes out), then objcopy. It
# leaves WORKDIR/vmlinux and WORKDIR/vmlinux.btf. With "boot" as the third
# argument only ./boot/vmlinuz-* is unpacked (tests; the benchmark unpacks all).
# With "image" the first argument is a vmlinuz already out of its package.
set -euo pipefail
deb=$1 work=$2
mkdir -p "$work/root"
case "${3:-}" in
boot) dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work/root" --wildcards './boot/vmlinuz-*' ;;
image) mkdir -p "$work/root/boot" && cp "$deb" "$work/root/boot/vmlinuz-image" ;;
*) dpkg-deb -x "$deb" "$work/root" ;;
esac
img=$(ls "$work"/root/boot/vmlinuz-* | head -1)

try() { # try MAGIC DECOMPRESSOR...
	local magic=$1 pos
	shift
	for pos in $(LC_ALL=C grep -obUaP "$magic" "$img" | cut -d: -f1); do
		tail -c+$((pos + 1)) "$img" | "$@" >"$work/vmlinux" 2>/dev/null || true
		if [ "$(head -c4 "$work/vmlinux" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ]; then
			return 0
		fi
	done
	return 1
}
try '\x1f\x8b\x08' gunzip -c ||
	try '\xfd7zXZ\x00' unxz -c ||
	try 'BZh' bunzip2 -c ||
	try '\x5d\x00\x00\x00' unlzma -c ||
	try '\x02\x21\x4c\x18' lz4 -dc ||
	try '\x28\xb5\x2f\xfd' unzstd -c || {
	echo "reference: no vmlinux found in $img" >&2
	exit 1
}
objcopy --dump-section .BTF="$work/vmlinux.btf" "$work/vmlinux" "$work/vmlinux.stripped"
rm -f "$work/vmlinux.stripped"
