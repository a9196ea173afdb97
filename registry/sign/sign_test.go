package sign

import (
	"errors"
	"strings"
	"testing"
)

func TestSignVerify(t *testing.T) {
	priv, pub, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseSigner(priv)
	if err != nil {
		t.Fatal(err)
	}
	v, err := ParseVerifier(pub)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := NewPayload("registry.local/probehub/btf", "sha256:"+strings.Repeat("ab", 32))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(payload), `"critical":{"identity":{"docker-reference":"registry.local/probehub/btf"},"image":{"docker-manifest-digest":"sha256:abab`) || !strings.HasSuffix(string(payload), `"type":"cosign container image signature"},"optional":null}`) {
		t.Fatalf("payload = %s", payload)
	}
	sig, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Verify(payload, sig); err != nil {
		t.Fatal(err)
	}
	_, otherPub, _ := GenerateKey()
	other, _ := ParseVerifier(otherPub)
	tampered := append([]byte{}, payload...)
	tampered[10] ^= 1
	for desc, err := range map[string]error{"wrong key": other.Verify(payload, sig), "tampered payload": v.Verify(tampered, sig), "garbage sig": v.Verify(payload, []byte("x"))} {
		if !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: %v, want ErrBadSignature", desc, err)
		}
	}
	if _, err := ParsePayload(payload); err != nil {
		t.Fatal(err)
	}
}

func TestParseKeysRejects(t *testing.T) {
	for _, in := range []string{"", "not pem", "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n"} {
		if _, err := ParseSigner([]byte(in)); err == nil {
			t.Errorf("ParseSigner(%q) accepted", in)
		}
		if _, err := ParseVerifier([]byte(in)); err == nil {
			t.Errorf("ParseVerifier(%q) accepted", in)
		}
	}
}

func FuzzParsePayload(f *testing.F) {
	p, _ := NewPayload("r", "sha256:00")
	f.Add(p)
	f.Fuzz(func(t *testing.T, b []byte) {
		if p, err := ParsePayload(b); err == nil && p.Critical.Type != CosignSignatureType {
			t.Fatal("accepted a foreign payload type")
		}
	})
}
