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
// Fetch never logs: it returns an Outcome that says where the BTF came from
// and why, and counts it in Metrics. Errors wrap ErrNoBTF when no usable BTF
// was found.
package fetch
