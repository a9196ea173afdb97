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
// The output directory's layout and its result.json and index.json are
// the format of package wire/buildresult, which readers use without
// linking the builder.
//
// Shards (Config.Shard/Shards) split the inputs by position after sorting,
// so n processes with the same inputs build disjoint kernels; give every
// shard its own DIR, or the same DIR and rebuild index.json at the end with
// WriteIndex (Run rewrites it from the result.json files it finds).
package build
