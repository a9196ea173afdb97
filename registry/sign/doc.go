// Package sign creates and checks cosign-compatible key-based signatures:
// ECDSA P-256 over SHA-256 of a "simple signing" payload that names the
// signed manifest's digest. Verification is offline: no transparency log, no
// certificate, no OIDC.
//
// Keys are PEM: the public key as PKIX ("PUBLIC KEY", the form of cosign.pub,
// so `cosign verify --key` accepts our signatures and we accept cosign's),
// the private key as unencrypted PKCS#8 ("PRIVATE KEY") or SEC 1 ("EC
// PRIVATE KEY"). cosign's own encrypted private key format ("ENCRYPTED
// SIGSTORE PRIVATE KEY") is not read: export the key unencrypted or sign with
// cosign itself.
//
// Verify returns errors wrapping ErrBadSignature.
package sign
