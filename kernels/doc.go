// Package kernels is the catalog of target kernels: their identity (Key and
// banner), their packages, where their BTF comes from, and the NVIDIA driver
// branches packaged for them. Sources (apt indexes, kernel-crawler JSON,
// btfhub-archive trees) fill it; an on-disk store keeps it.
package kernels
