// Package aptfixture writes apt repositories in the real on-disk format for
// tests: pool files, dists/<suite>/<component>/binary-<arch>/Packages.xz,
// a Release with SHA256 sums, and an InRelease and Release.gpg signed with
// an OpenPGP key generated for the test, whose public keyring it writes
// beside them. Ubuntu builds the Ubuntu fixture mirror of the tests from
// public facts of real Ubuntu kernels (the Ubuntu archive is not reachable
// from the machines the tests run on).
package aptfixture
