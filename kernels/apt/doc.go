// Package apt reads Debian and Ubuntu apt repositories — Release/InRelease
// and Packages indexes, plain or compressed (gz, xz, lz4, zst) — from a
// mirror over HTTP or from a local lists directory (/var/lib/apt/lists),
// and turns kernel image, modules, headers, debug and NVIDIA driver module
// packages into catalog kernels, and kernel meta-packages into aliases.
//
// Trust: a Mirror verifies each suite's InRelease (or Release and
// Release.gpg) with OpenPGP (github.com/ProtonMail/go-crypto) against the
// distribution's archive keyring or a given one, then every Packages index
// against the signed Release's SHA256 and size; the packages' SHA256 sums
// go into the catalog, and builder/build checks each .deb against them
// before extracting it. Every failure wraps ErrSignature or ErrHash and
// names the file. A Lists directory is what apt itself already verified.
package apt
