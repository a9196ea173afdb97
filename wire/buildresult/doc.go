// Package buildresult is the on-disk format of a build output directory:
// the per-kernel result.json, the index.json over them, and the verdict
// and probe facts they carry. The build runner (builder/build) writes it;
// the compatibility service (compat) and publish read it. It is a leaf
// package: it imports only kernels and the standard library, so a reader
// does not link the builder, its decompressors or cilium/ebpf.
//
// # Output layout
//
// Everything a build writes lives under the output directory DIR:
//
//	DIR/index.json                 Index: every result under DIR/kernels, sorted by key
//	DIR/probes/<sha256>.o          each probe object variant, once, by content
//	DIR/kernels/<distro>/<version_id>/<arch>/<release>/
//	    result.json                Result: key, banner, probe version, verdict and
//	                               reasons, probe facts (programs, features, minimum
//	                               kernels), chosen variant, sha256 of the kernel BTF,
//	                               of min.btf and of the probe object
//	    min.btf                    the minimized BTF (raw BTF, as /sys/kernel/btf/vmlinux);
//	                               absent when the kernel has no BTF source or failed
//
// The kernel directory is kernels.Key.String() (distro/version_id/arch/release).
// result.json is written last, atomically (rename), so a result.json always
// describes a complete min.btf beside it; min.btf's sha256 is in it. Readers
// must ignore unknown fields: Schema is bumped only for incompatible changes.
package buildresult
