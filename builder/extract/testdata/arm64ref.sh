#!/bin/bash
# arm64ref.sh DEB WORKDIR
#
# The independent oracle for arm64 kernel packages, in the shell: unpack
# ./boot/vmlinuz-* with dpkg-deb and tar (gunzip it when it is gzip'd, as
# Ubuntu ships it), then find the kernel's BTF blob by its header: every
# offset of the bytes 9f eb 01 00 18 00 00 00 (magic, version 1, flags 0,
# hdr_len 24), its length from the header's str_off + str_len read with od,
# cut with dd, kept when bpftool parses it and it holds struct task_struct.
# It leaves WORKDIR/Image and WORKDIR/vmlinux.btf.
set -euo pipefail
deb=$1 work=$2
dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards './boot/vmlinuz-*' >"$work/vmlinuz"
if [ "$(head -c2 "$work/vmlinuz" | od -An -tx1 | tr -d ' \n')" = 1f8b ]; then
	gunzip -c "$work/vmlinuz" >"$work/Image"
else
	mv "$work/vmlinuz" "$work/Image"
fi
img=$work/Image
u32() { od -An -t u4 -j "$1" -N 4 "$img" | tr -d ' '; }
for pos in $(LC_ALL=C grep -obUaP '\x9f\xeb\x01\x00\x18\x00\x00\x00' "$img" | cut -d: -f1); do
	len=$((24 + $(u32 $((pos + 16))) + $(u32 $((pos + 20)))))
	dd if="$img" of="$work/vmlinux.btf" iflag=skip_bytes,count_bytes skip="$pos" count="$len" status=none
	if bpftool btf dump file "$work/vmlinux.btf" >"$work/dump" 2>/dev/null &&
		grep -q "^\[[0-9]*\] STRUCT 'task_struct'" "$work/dump"; then
		exit 0
	fi
done
echo "arm64ref: no kernel BTF blob in $img" >&2
exit 1
