package apt_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/probehub/probehub/internal/aptfixture"
	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/kernels/apt"
)

// TestUbuntuArchiveKeyring loads Ubuntu's real archive keyring as a crawl
// of an Ubuntu mirror does by default (ubuntu-keyring; hack/setup.sh
// installs Debian 13's package on Debian 12) and checks it holds the
// archive's InRelease signing keys, and that a Release signed by another
// key fails against it. Key IDs: the ubuntu-keyring package's keyring
// (gpg --list-keys) — "Ubuntu Archive Automatic Signing Key (2012)" and
// "(2018)", the key today's InRelease files are signed with. No real
// Ubuntu InRelease is checked here: the archive is unreachable from these
// machines and no stored public copy with its signature could be read.
func TestUbuntuArchiveKeyring(t *testing.T) {
	kr, err := apt.DefaultKeyring("ubuntu")
	if errors.Is(err, apt.ErrNoKeyring) {
		testutil.SkipOrFail(t, "no Ubuntu archive keyring (run hack/setup.sh): "+err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	ids := kr.KeyIDs()
	for _, want := range []string{"3B4FE6ACC0B21F32", "871920D1991BC93C"} {
		if !slices.Contains(ids, want) {
			t.Errorf("keyring %s: key IDs %v lack %s", kr.Path, ids, want)
		}
	}

	// A clearsigned Release from another key (the fixture archive's).
	m := aptfixture.New(t)
	m.Suite("jammy-updates", "Ubuntu", "22.04", "jammy")
	if err := m.Add("jammy-updates", "main", "amd64", "pool/main/h/hello/hello_2.10-2ubuntu4_amd64.deb", []byte("x"),
		aptfixture.Field{Name: "Package", Value: "hello"}, aptfixture.Field{Name: "Version", Value: "2.10-2ubuntu4"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Write(); err != nil {
		t.Fatal(err)
	}
	inRelease, err := os.ReadFile(filepath.Join(m.Dir, "dists", "jammy-updates", "InRelease"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kr.VerifyInRelease("jammy-updates/InRelease", inRelease); !errors.Is(err, apt.ErrSignature) {
		t.Errorf("a Release signed by another key: %v, want ErrSignature", err)
	}
	own, err := apt.LoadKeyring(m.Keyring)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := own.VerifyInRelease("jammy-updates/InRelease", inRelease); err != nil {
		t.Errorf("the same Release against its own key: %v", err)
	}
}
