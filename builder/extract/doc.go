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
// Pipeline: FromDeb streams data.tar to the kernel image and then fills the
// image from one goroutine while the caller's goroutine decompresses the
// payload from the bytes that have arrived (two cores: unpacking ∥
// decompressing ∥ scanning). Decompression stops as soon as the BTF and the
// banner have streamed past (.BTF sits in the middle of the vmlinux), and
// filling stops with it, so the .deb is read no further than that: LZ4
// legacy blocks decode from a partial prefix, the other formats stream.
// Options.FullELF decompresses all of it and reads the ELF section table
// instead.
//
// Decoders: xz (data.tar.xz and the kernel's xz payload) is decoded by this
// package's own LZMA2 decoder (xzstream.go, lzma2.go, lzma.go,
// rangedec.go), written from the LZMA specification and about twice as
// fast as ulikunitz/xz; the kernel's x86 BCJ filter is bcj.go. xz block
// checks, the index and the footer are not verified: the stream is never
// read to its end, corruption fails LZMA2 (every chunk must end its range
// coder exactly) and the BTF is validated. LZ4 blocks (lz4block.go) are
// decoded here too, to allow partial blocks; zstd, gzip and bzip2 use
// klauspost/compress and the standard library.
//
// Memory: the kernel image (~10 MB), the decompressed vmlinux (~60–80 MB,
// allocated once from the size trailer or the setup header's init_size),
// the LZMA2 windows (dictionary + 8 MiB each: 16 MB for data.tar.xz, 40 MB
// for a kernel xz payload) are the large buffers; peak RSS is 95–130 MB
// on Debian 6.1/6.12 packages.
package extract
