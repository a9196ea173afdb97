package rulesfile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/probehub/probehub/internal/regtest"
	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/registry"
	"github.com/probehub/probehub/registry/sign"
)

func keys(t *testing.T) (*sign.Signer, *sign.Verifier) {
	priv, _, err := sign.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	s, _ := sign.ParseSigner(priv)
	return s, s.Verifier()
}

func rulesFiles(t *testing.T) map[string][]byte {
	// The upstream rules when ../shared/data is there, else a small file.
	b, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "..", "shared", "data", "falco_rules.yaml"))
	if err != nil {
		b = []byte("- rule: test\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: INFO\n")
	}
	return map[string][]byte{"falco_rules.yaml": b}
}

func TestFollowValidateReloadPromote(t *testing.T) {
	ctx := context.Background()
	reg := regtest.Start(t)
	st, err := registry.OpenRemote(reg.Repo("probehub/rules"))
	if err != nil {
		t.Fatal(err)
	}
	signer, verifier := keys(t)
	cfg := Config{Name: "probehub-rules", Version: "1.0.0", Requirements: []Requirement{{"engine_version_semver", "0.57.0"}}}
	good := rulesFiles(t)
	d1, err := Push(ctx, st, "staging", cfg, good, signer, st.Repository())
	if err != nil {
		t.Fatal(err)
	}
	var reloads int
	f := &Follower{
		Store: st, Tag: "staging", Pull: registry.PullOptions{Verifier: verifier},
		Validate: func(_ context.Context, files map[string][]byte) error {
			if strings.Contains(string(files["falco_rules.yaml"]), "BROKEN") {
				return errors.New("line 1: syntax error")
			}
			return nil
		},
		Reload: func(context.Context, map[string][]byte) error { reloads++; return nil },
	}
	if r := f.Poll(ctx); !r.Reloaded || r.Running != d1 || r.Err != nil {
		t.Fatalf("first poll = %+v", r)
	}
	if r := f.Poll(ctx); r.Reloaded || reloads != 1 {
		t.Fatalf("unchanged poll reloaded: %+v", r)
	}
	bad := map[string][]byte{"falco_rules.yaml": []byte("BROKEN")}
	if _, err := Push(ctx, st, "staging", Config{Name: "probehub-rules", Version: "1.0.1"}, bad, signer, st.Repository()); err != nil {
		t.Fatal(err)
	}
	if r := f.Poll(ctx); r.Reloaded || r.Err == nil || f.Current() != d1 {
		t.Fatalf("invalid rules taken: %+v", r)
	}
	if _, err := Push(ctx, st, "staging", Config{Name: "probehub-rules", Version: "1.0.2"}, good, nil, ""); err != nil {
		t.Fatal(err)
	}
	if r := f.Poll(ctx); r.Reloaded || !errors.Is(r.Err, registry.ErrUnsigned) || f.Current() != d1 {
		t.Fatalf("unsigned rules taken: %+v", r)
	}
	// Promotion: a failing replay leaves prod alone; a passing one retags.
	d3, err := Push(ctx, st, "staging", Config{Name: "probehub-rules", Version: "1.1.0"}, good, signer, st.Repository())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Promote(ctx, st, "staging", "prod", f.Pull, func(context.Context, map[string][]byte) error { return errors.New("replay: 3 alerts differ") }); err == nil {
		t.Fatal("promotion with a failing check succeeded")
	}
	if _, err := st.Manifest(ctx, "prod"); !errors.Is(err, registry.ErrNotFound) {
		t.Fatalf("prod exists after a failed promotion: %v", err)
	}
	if d, err := Promote(ctx, st, "staging", "prod", f.Pull, func(context.Context, map[string][]byte) error { return nil }); err != nil || d != d3 {
		t.Fatalf("Promote = %s, %v", d, err)
	}
	rs, err := Pull(ctx, st, "prod", f.Pull)
	if err != nil || rs.Config.Version != "1.1.0" || string(rs.Files["falco_rules.yaml"]) != string(good["falco_rules.yaml"]) {
		t.Fatalf("Pull(prod) = %+v, %v", rs, err)
	}
}

func FuzzUnpack(f *testing.F) {
	b, _ := pack(map[string][]byte{"a.yaml": []byte("- rule: x\n")})
	f.Add(b)
	f.Fuzz(func(t *testing.T, layer []byte) {
		files, err := Unpack(layer)
		if err != nil {
			return
		}
		for n := range files {
			if !validName(n) {
				t.Fatalf("accepted name %q", n)
			}
		}
	})
}
