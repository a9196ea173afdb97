package registry

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/probehub/probehub/internal/regtest"
	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/registry/sign"
)

// cosignBin builds (once, into a cache outside the repository) and returns
// the real cosign CLI: hack/tools.sh cosign. Where it cannot be built the
// test skips, and fails in CI.
func cosignBin(t *testing.T) string {
	t.Helper()
	script := filepath.Join(testutil.RepoRoot(t), "hack", "tools.sh")
	out, err := exec.Command(script, "cosign").Output()
	if err != nil {
		var stderr []byte
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
			stderr = ee.Stderr
		}
		testutil.SkipOrFail(t, "cannot build cosign with hack/tools.sh: "+err.Error()+": "+string(stderr))
	}
	return strings.TrimSpace(string(out))
}

// cosign runs the cosign CLI in dir with COSIGN_PASSWORD set; it fails the
// test unless the exit status is what ok says.
func runCosign(t *testing.T, bin, dir string, ok bool, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "COSIGN_PASSWORD=s3cret", "HOME="+dir, "TUF_ROOT="+filepath.Join(dir, "tuf"))
	out, err := cmd.CombinedOutput()
	if (err == nil) != ok {
		t.Fatalf("cosign %s: %v (want success %v)\n%s", strings.Join(args, " "), err, ok, out)
	}
	return string(out)
}

// TestCosignInterop proves the signature formats against the real cosign
// CLI and docker-registry: cosign verifies ours; we verify what cosign sign
// writes by default (a Sigstore bundle attached as a referrer, through the
// referrers tag on this registry) and in its older format (the .sig tag);
// and a key cosign generated (encrypted) signs for us.
func TestCosignInterop(t *testing.T) {
	ctx := context.Background()
	cosign := cosignBin(t)
	reg := regtest.Start(t)
	dir := t.TempDir()
	fx := loadFixtures(t)
	runCosign(t, cosign, dir, true, "generate-key-pair", "--output-key-prefix", "cosign")
	runCosign(t, cosign, dir, true, "signing-config", "create", "--out", "signing-config.json") // no tlog, no TSA: offline
	cosignPub, err := os.ReadFile(filepath.Join(dir, "cosign.pub"))
	if err != nil {
		t.Fatal(err)
	}
	cosignV, err := sign.ParseVerifier(cosignPub)
	if err != nil {
		t.Fatal(err)
	}
	oursPriv, oursPub, err := sign.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	ours, err := sign.ParseSigner(oursPriv)
	if err != nil {
		t.Fatal(err)
	}
	oursV := ours.Verifier()
	if err := os.WriteFile(filepath.Join(dir, "ours.pub"), oursPub, 0o644); err != nil {
		t.Fatal(err)
	}
	publish := func(repo string, s *sign.Signer) (*Remote, Published) {
		r, err := OpenRemote(reg.Repo(repo))
		if err != nil {
			t.Fatal(err)
		}
		p, err := Publish(ctx, r, []KernelArtifact{fx.artifact(t, "0.1.0", 1)}, PublishOptions{Signer: s})
		if err != nil {
			t.Fatal(err)
		}
		return r, p[0]
	}

	t.Run("cosign verifies ours", func(t *testing.T) {
		_, p := publish("ours", ours)
		ref := reg.Repo("ours") + "@" + p.Digest
		runCosign(t, cosign, dir, true, "verify", "--key", "ours.pub", "--insecure-ignore-tlog=true", "--allow-insecure-registry", ref)
		runCosign(t, cosign, dir, false, "verify", "--key", "cosign.pub", "--insecure-ignore-tlog=true", "--allow-insecure-registry", ref)
	})
	t.Run("new bundle format", func(t *testing.T) {
		r, p := publish("bundle", nil)
		runCosign(t, cosign, dir, true, "sign", "--key", "cosign.key", "--signing-config", "signing-config.json", "--allow-insecure-registry", "-y", reg.Repo("bundle")+"@"+p.Digest)
		h := mustHash(t, p.Digest)
		if err := Verify(ctx, r, cosignV, h); err != nil {
			t.Fatalf("cosign's bundle: %v", err)
		}
		if err := Verify(ctx, r, oursV, h); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("another key: %v, want ErrBadSignature", err)
		}
		k, err := PullKernel(ctx, r, p.Tag, PullOptions{Verifier: cosignV})
		if err != nil || !k.Signed {
			t.Fatalf("pull: %v", err)
		}
	})
	t.Run("old format", func(t *testing.T) {
		r, p := publish("old", nil)
		runCosign(t, cosign, dir, true, "sign", "--key", "cosign.key", "--new-bundle-format=false", "--use-signing-config=false", "--tlog-upload=false",
			"--allow-insecure-registry", "-y", reg.Repo("old")+"@"+p.Digest)
		if err := Verify(ctx, r, cosignV, mustHash(t, p.Digest)); err != nil {
			t.Fatalf("cosign's old format: %v", err)
		}
	})
	t.Run("cosign's encrypted key signs for us", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join(dir, "cosign.key"))
		if err != nil {
			t.Fatal(err)
		}
		s, err := sign.ParseSignerWithPassword(b, []byte("s3cret"))
		if err != nil {
			t.Fatal(err)
		}
		_, p := publish("enc", s)
		runCosign(t, cosign, dir, true, "verify", "--key", "cosign.pub", "--insecure-ignore-tlog=true", "--allow-insecure-registry", reg.Repo("enc")+"@"+p.Digest)
	})
}
