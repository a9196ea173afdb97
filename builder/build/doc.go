// Package build runs the build side for many kernels: extract each kernel's
// BTF (builder/extract), judge the probes against it (builder/verdict),
// minimize it for the chosen probe variant (builder/minimize), and write the
// results into an output directory that the registry publishes from.
//
// A build is content-addressed and incremental: a kernel whose BTF sha256
// and probe object sha256 match its existing result is not redone, and one
// whose input file (path, size, mtime) is unchanged is not even extracted
// again. One kernel's failure never stops the others: it is recorded in
// its result.json (status unknown, with the error) and counted in the
// summary.
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
//
// Shards (Config.Shard/Shards) split the inputs by position after sorting,
// so n processes with the same inputs build disjoint kernels; give every
// shard its own DIR, or the same DIR and rebuild index.json at the end with
// WriteIndex (Run rewrites it from the result.json files it finds).
package build
