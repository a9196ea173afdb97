// Package image builds probehub's container images without a container
// engine: the sensor image (probehub-sensor, cgo for NVML, on glibc) and the
// server image (probehub, static), one OCI image per platform under a
// multi-arch index, written to an OCI layout or pushed to a registry.
//
// The base is assembled, not pulled: an empty image plus /etc/passwd and
// /etc/group (root and nonroot, UID 65532), the CA bundle from Debian's
// ca-certificates package and, for the sensor only, the shared C library
// from Debian's libc6 package for each platform, for the server only the
// archive keyrings from debian-archive-keyring (kernels crawl checks apt
// mirrors' signatures with them). The Debian packages come
// through apt from bookworm's main suite and are kept in a cache, so later
// builds (and air-gapped ones) use the same bytes.
//
// Builds are reproducible: the Go binaries are built with -trimpath and no
// build ID, every file in a layer has the same owner and the modification
// time of Options.Epoch, entries are sorted, and the config's created time
// is the same epoch. The same source and base packages give the same index
// digest.
package image
