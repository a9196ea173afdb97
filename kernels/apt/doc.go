// Package apt reads Debian and Ubuntu apt repositories — Release/InRelease
// and Packages indexes, plain or compressed (gz, xz, lz4, zst) — from a
// mirror over HTTP or from a local lists directory (/var/lib/apt/lists),
// and turns linux-image, linux-headers, -dbg and NVIDIA module packages into
// catalog kernels. InRelease signatures are not verified here: the indexes'
// SHA256 sums from the Release file are, when fetched over HTTP.
package apt
