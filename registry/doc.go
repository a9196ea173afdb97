// Package registry stores probehub's artifacts in OCI stores: one artifact per
// probe version × kernel (a JSON config, the minimized BTF, the shared probe
// object), a kernel index per probe version with floating version tags,
// cosign-compatible key-based signatures, a mirror between stores and a
// btfhub-archive export.
//
// Two stores sit behind one small interface (Store): an on-disk OCI image
// layout ("layout:PATH", the default, no server needed) and any OCI registry
// ("REGISTRY/REPO", through go-containerregistry's remote with the docker
// config keychain). Registries without the referrers API are fine: every
// relation (signature, index) is found through a tag scheme (see README.md).
//
// Errors wrap the sentinels below; callers branch with errors.Is:
// ErrNotFound (no such tag, digest or blob), ErrDigestMismatch (bytes differ
// from their digest: tampered or truncated), ErrUnsigned, ErrBadSignature,
// ErrInvalidArtifact (well-formed bytes that are not a probehub artifact).
package registry
