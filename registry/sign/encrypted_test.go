package sign

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// testdata/cosign-encrypted.key was written by `cosign generate-key-pair`
// (v3.1.3) with COSIGN_PASSWORD=s3cret; cosign-encrypted.pub beside it.
func TestCosignEncryptedKey(t *testing.T) {
	key, err := os.ReadFile("testdata/cosign-encrypted.key")
	if err != nil {
		t.Fatal(err)
	}
	pub, err := os.ReadFile("testdata/cosign-encrypted.pub")
	if err != nil {
		t.Fatal(err)
	}
	v, err := ParseVerifier(pub)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseSignerWithPassword(key, []byte("s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	sig, err := s.Sign([]byte("payload"))
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Verify([]byte("payload"), sig); err != nil {
		t.Fatalf("a signature of the decrypted key does not verify with cosign's public key: %v", err)
	}
	if _, err := ParseSignerWithPassword(key, nil); !errors.Is(err, ErrNoPassword) {
		t.Errorf("no password: %v, want ErrNoPassword", err)
	}
	if _, err := ParseSignerWithPassword(key, []byte("wrong")); err == nil || !strings.Contains(err.Error(), "wrong password") {
		t.Errorf("wrong password: %v", err)
	}
	t.Setenv("COSIGN_PASSWORD", "s3cret")
	if _, err := ParseSigner(key); err != nil {
		t.Errorf("ParseSigner with COSIGN_PASSWORD: %v", err)
	}
}
