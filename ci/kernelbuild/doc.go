// Package kernelbuild builds the kernel matrix's own kernels from Debian
// source packages: the source is fetched with apt-get through a private apt
// state (deb-src lines for the machine's Debian mirror; the system's sources
// are untouched), configured from a base target (tinyconfig) plus a config
// fragment, checked (every symbol of the fragment must have survived
// Kconfig), and built with make into bzImage, vmlinux (with DWARF), .config
// and System.map.
//
// The point is kernels no distribution package gives the matrix: a kernel
// built with CONFIG_DEBUG_INFO_BTF=n has no /sys/kernel/btf/vmlinux, like
// Ubuntu 18.04/20.04 GA kernels, so the sensor must load with the minimized
// BTF of its probehub artifact (made from the kernel's DWARF with pahole).
// The result is stored as an OCI image (ci/kernelimage) so that runs which
// do not build kernels — CI — can still boot it.
//
// Builds are long (minutes to tens of minutes) and incremental: the source
// tree and the build directory stay in the cache, and make redoes only what a
// changed config touches.
package kernelbuild
