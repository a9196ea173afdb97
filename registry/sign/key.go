package sign

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
)

// ErrBadSignature reports a signature that does not verify.
var ErrBadSignature = errors.New("bad signature")

// ErrPlaceholderKey reports the placeholder shipped in deploy/ where the
// operator's public key belongs: refused everywhere, also on nodes that
// would never need it (their own BTF), so that a forgotten key shows at
// the first start and not on the first node without BTF.
var ErrPlaceholderKey = errors.New("the public key is the placeholder shipped in the deploy manifests")

// PlaceholderMarker is the text that marks a placeholder key file: the
// deploy manifests ship it where probehub.pub belongs.
const PlaceholderMarker = "paste the PEM public key here"

// Signer signs payloads with an ECDSA P-256 private key.
type Signer struct{ key *ecdsa.PrivateKey }

// Verifier checks signatures with an ECDSA P-256 public key.
type Verifier struct{ key *ecdsa.PublicKey }

// GenerateKey returns a new key pair as PEM: private (PKCS#8) and public
// (PKIX).
func GenerateKey() (priv, pub []byte, err error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generate key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, nil, fmt.Errorf("marshal private key: %w", err)
	}
	pder, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		return nil, nil, fmt.Errorf("marshal public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pder}), nil
}

// ParseSigner reads a PEM private key: PKCS#8, SEC 1, or cosign's
// encrypted format (the password from COSIGN_PASSWORD, as cosign reads it).
func ParseSigner(b []byte) (*Signer, error) {
	return ParseSignerWithPassword(b, []byte(os.Getenv("COSIGN_PASSWORD")))
}

// ParseSignerWithPassword is ParseSigner with the password of an encrypted
// key given; an encrypted key without one wraps ErrNoPassword.
func ParseSignerWithPassword(b, password []byte) (*Signer, error) {
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, errors.New("parse private key: no PEM block")
	}
	var k any
	var err error
	switch blk.Type {
	case "PRIVATE KEY":
		k, err = x509.ParsePKCS8PrivateKey(blk.Bytes)
	case "EC PRIVATE KEY":
		k, err = x509.ParseECPrivateKey(blk.Bytes)
	case "ENCRYPTED SIGSTORE PRIVATE KEY", "ENCRYPTED COSIGN PRIVATE KEY":
		der, derr := decryptCosignKey(blk.Bytes, password)
		if derr != nil {
			return nil, fmt.Errorf("parse private key: %w", derr)
		}
		k, err = x509.ParsePKCS8PrivateKey(der)
	default:
		return nil, fmt.Errorf("parse private key: unexpected PEM type %q", blk.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("parse private key: %w", err)
	}
	ek, ok := k.(*ecdsa.PrivateKey)
	if !ok || ek.Curve != elliptic.P256() {
		return nil, errors.New("parse private key: want an ECDSA P-256 key")
	}
	return &Signer{key: ek}, nil
}

// ParseVerifier reads a PEM (PKIX) public key. The deploy manifests'
// placeholder wraps ErrPlaceholderKey.
func ParseVerifier(b []byte) (*Verifier, error) {
	if bytes.Contains(b, []byte(PlaceholderMarker)) {
		return nil, fmt.Errorf("parse public key: %w: replace it with the probehub.pub of `probehub publish --gen-key`", ErrPlaceholderKey)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PUBLIC KEY" {
		return nil, errors.New("parse public key: want a PEM \"PUBLIC KEY\" block")
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse public key: %w", err)
	}
	ek, ok := k.(*ecdsa.PublicKey)
	if !ok || ek.Curve != elliptic.P256() {
		return nil, errors.New("parse public key: want an ECDSA P-256 key")
	}
	return &Verifier{key: ek}, nil
}

// Sign returns the ASN.1 ECDSA signature of SHA-256(payload). It is
// deterministic (RFC 6979): signing the same payload again gives the same
// bytes, so republishing an unchanged artifact writes nothing new.
func (s *Signer) Sign(payload []byte) ([]byte, error) {
	sum := sha256.Sum256(payload)
	sig, err := s.key.Sign(nil, sum[:], crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("sign payload: %w", err)
	}
	return sig, nil
}

// Verifier returns the matching public key's verifier.
func (s *Signer) Verifier() *Verifier { return &Verifier{key: &s.key.PublicKey} }

// Verify checks sig over payload; the error wraps ErrBadSignature.
func (v *Verifier) Verify(payload, sig []byte) error {
	sum := sha256.Sum256(payload)
	if !ecdsa.VerifyASN1(v.key, sum[:], sig) {
		return fmt.Errorf("verify payload: %w", ErrBadSignature)
	}
	return nil
}
