package sign

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
)

// FuzzParseKeys: any key file gives a signer or verifier or an error, never
// a panic, and no scrypt work beyond the bound. Seeds are real keys: a
// generated PKCS#8/PKIX pair and cosign's encrypted key and public key
// (testdata, written by cosign generate-key-pair).
func FuzzParseKeys(f *testing.F) {
	priv, pub, err := GenerateKey()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(priv)
	f.Add(pub)
	for _, p := range []string{"testdata/cosign-encrypted.key", "testdata/cosign-encrypted.pub"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		// No password: an encrypted key stops before scrypt, after its
		// parameters are checked.
		if s, err := ParseSignerWithPassword(b, nil); err == nil {
			if _, err := s.Sign([]byte("x")); err != nil {
				t.Fatalf("parsed signer cannot sign: %v", err)
			}
		}
		_, _ = ParseVerifier(b)
	})
}

// TestScryptBound: an encrypted key asking for 4 GiB of scrypt memory
// (N=2^20, r=32) is refused before any work; cosign's own parameters pass.
func TestScryptBound(t *testing.T) {
	body := func(n, r, p int) []byte {
		return []byte(`{"kdf":{"name":"scrypt","params":{"N":` + strconv.Itoa(n) + `,"r":` + strconv.Itoa(r) + `,"p":` + strconv.Itoa(p) +
			`},"salt":"AAAA"},"cipher":{"name":"nacl/secretbox","nonce":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},"ciphertext":"AAAA"}`)
	}
	if _, err := decryptCosignKey(body(1<<20, 32, 1), []byte("pw")); err == nil || !strings.Contains(err.Error(), "unreasonable") {
		t.Errorf("N=2^20 r=32: %v", err)
	}
	if _, err := decryptCosignKey(body(65536, 8, 1), nil); !errors.Is(err, ErrNoPassword) {
		t.Errorf("cosign's parameters: %v", err)
	}
}
