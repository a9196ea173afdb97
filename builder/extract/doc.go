// Package extract gets a kernel's BTF and banner out of what distributions
// ship, in pure Go: a .deb (ar → data.tar.{xz,zst,gz,bz2} → boot/vmlinuz-*),
// a bzImage (setup header → compressed payload → vmlinux), a vmlinux ELF
// (.BTF section, or DWARF through the external pahole), a raw BTF file and a
// btfhub-archive .btf.tar.xz.
//
// Every extracted BTF is parsed with cilium/ebpf's btf package before it is
// returned. Every error is an *Error naming the Stage that failed; it wraps
// one of the sentinels below where the condition is one callers branch on
// (ErrNotDeb, ErrNoKernel, ErrNoBTF, ErrUnsupported, ErrPaholeMissing,
// ErrTruncated) and the underlying cause otherwise.
//
// Memory: a .deb is streamed and reading stops at the kernel image; the
// image (~10 MB) and the decompressed vmlinux (~60–80 MB, allocated once from
// the size trailer) are the only large buffers. Decompression of the vmlinux
// stops as soon as its BTF and banner are complete (.BTF sits in the middle
// of the image); Options.FullELF decompresses all of it and reads the ELF
// section table instead.
package extract
