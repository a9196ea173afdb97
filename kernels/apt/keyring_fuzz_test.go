package apt

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoadKeyring: any keyring file gives keys or an error, never a panic;
// the seeds are the Debian and Ubuntu archive keyrings installed here.
// TestKeyringTruncated pins the case the fuzzer's seeds showed: half of
// a keyring loaded with half its keys and no error.
func FuzzLoadKeyring(f *testing.F) {
	for _, p := range []string{"/usr/share/keyrings/debian-archive-bookworm-stable.gpg", "/usr/share/keyrings/ubuntu-archive-keyring.gpg"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n-----END PGP PUBLIC KEY BLOCK-----\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(dir, "k.gpg")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if k, err := LoadKeyring(p); err == nil && len(k.entities) == 0 {
			t.Fatal("a keyring without keys loaded")
		}
	})
}

func TestKeyringTruncated(t *testing.T) {
	b, err := os.ReadFile("/usr/share/keyrings/debian-archive-keyring.gpg")
	if err != nil {
		t.Skip("no debian-archive-keyring here")
	}
	if _, err := LoadKeyring(writeTemp(t, b)); err != nil {
		t.Fatalf("whole keyring: %v", err)
	}
	if _, err := LoadKeyring(writeTemp(t, b[:len(b)/2])); err == nil {
		t.Fatal("half a keyring loaded without an error")
	}
}

func writeTemp(t *testing.T, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "k.gpg")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
