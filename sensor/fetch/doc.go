// Package fetch gets the BTF a node's probes load with, at sensor boot.
//
// A kernel with its own BTF (/sys/kernel/btf/vmlinux) needs nothing: Fetch
// says so and pulls nothing unless forced. Otherwise Fetch pulls the
// kernel's artifact from a store (the kernel tag, falling back to the kernel
// index when the tag is missing or names another banner), verifies every
// digest and the signature, checks the banner equals /proc/version exactly,
// and keeps it in a node cache. When the registry is unreachable, slow,
// failing or serving corrupt bytes, Fetch retries with exponential backoff
// and full jitter until its boot deadline, then uses the cached artifact.
//
// The cache holds one artifact per kernel: the current one. After caching
// a newer artifact for a kernel, Fetch prunes what it replaced (Cache.GC),
// so the cache stays the size of the kernels the node has booted. An older
// artifact is not kept as a fallback: rollback protection would refuse it
// anyway, and the store still has it (--allow-downgrade).
//
// Fetch never logs: it returns an Outcome that says where the BTF came from
// and why, and counts it in Metrics. Errors wrap ErrNoBTF when no usable BTF
// was found.
package fetch
