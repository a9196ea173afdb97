package sign

import (
	"encoding/json"
	"errors"
	"fmt"

	"golang.org/x/crypto/nacl/secretbox"
	"golang.org/x/crypto/scrypt"
)

// ErrNoPassword reports an encrypted private key read without a password.
var ErrNoPassword = errors.New("the private key is encrypted: set COSIGN_PASSWORD")

// encryptedKey is the body of cosign's "ENCRYPTED SIGSTORE PRIVATE KEY"
// (and older "ENCRYPTED COSIGN PRIVATE KEY") PEM block: the PKCS#8 key
// sealed with NaCl secretbox under a key derived with scrypt.
type encryptedKey struct {
	KDF struct {
		Name   string `json:"name"`
		Params struct {
			N int `json:"N"`
			R int `json:"r"`
			P int `json:"p"`
		} `json:"params"`
		Salt []byte `json:"salt"`
	} `json:"kdf"`
	Cipher struct {
		Name  string `json:"name"`
		Nonce []byte `json:"nonce"`
	} `json:"cipher"`
	Ciphertext []byte `json:"ciphertext"`
}

// maxScryptNR bounds N·r, so scrypt's 128·N·r bytes stay under 256 MiB
// (N=2^20 and r=32 asked for 4 GiB).
const maxScryptNR = 1 << 21

// decryptCosignKey opens a cosign encrypted private key with password and
// returns the PKCS#8 DER inside.
func decryptCosignKey(body, password []byte) ([]byte, error) {
	var k encryptedKey
	if err := json.Unmarshal(body, &k); err != nil {
		return nil, fmt.Errorf("parse encrypted private key: %w", err)
	}
	if k.KDF.Name != "scrypt" || k.Cipher.Name != "nacl/secretbox" {
		return nil, fmt.Errorf("parse encrypted private key: kdf %q, cipher %q: want scrypt and nacl/secretbox", k.KDF.Name, k.Cipher.Name)
	}
	p := k.KDF.Params
	// Bound the work a hostile file can ask for (cosign writes N=65536, r=8,
	// p=1: 64 MiB): scrypt takes 128·N·r bytes, here at most 256 MiB, and p
	// times the time.
	if p.N <= 1 || p.N > 1<<20 || p.R <= 0 || p.R > 32 || p.N*p.R > maxScryptNR || p.P <= 0 || p.P > 4 || len(k.Cipher.Nonce) != 24 {
		return nil, fmt.Errorf("parse encrypted private key: unreasonable scrypt parameters N=%d r=%d p=%d or nonce", p.N, p.R, p.P)
	}
	if len(password) == 0 {
		return nil, ErrNoPassword
	}
	key, err := scrypt.Key(password, k.KDF.Salt, p.N, p.R, p.P, 32)
	if err != nil {
		return nil, fmt.Errorf("derive key: %w", err)
	}
	var nonce [24]byte
	var sk [32]byte
	copy(nonce[:], k.Cipher.Nonce)
	copy(sk[:], key)
	der, ok := secretbox.Open(nil, k.Ciphertext, &nonce, &sk)
	if !ok {
		return nil, errors.New("decrypt private key: wrong password (COSIGN_PASSWORD) or damaged key")
	}
	return der, nil
}
