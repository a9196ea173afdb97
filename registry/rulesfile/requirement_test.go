package rulesfile

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/probehub/probehub/internal/regtest"
	"github.com/probehub/probehub/registry"
)

// TestCheckRequirements follows falcoctl's follower: the names it knows,
// integers compared as integers, semantic versions by major and order.
func TestCheckRequirements(t *testing.T) {
	have := map[string]string{"engine_version_semver": "0.63.0", "engine_version": "63"}
	for _, tc := range []struct {
		description string
		req         []Requirement
		want        string // error substring; "" = met
	}{
		{"none", nil, ""},
		{"same semver", []Requirement{{"engine_version_semver", "0.63.0"}}, ""},
		{"older semver (upstream falco_rules.yaml)", []Requirement{{"engine_version_semver", "0.57.0"}}, ""},
		{"newer minor", []Requirement{{"engine_version_semver", "0.64.0"}}, "requires engine_version_semver 0.64.0, this sensor's rule engine is 0.63.0"},
		{"newer patch", []Requirement{{"engine_version_semver", "0.63.1"}}, "0.63.1"},
		{"other major", []Requirement{{"engine_version_semver", "1.0.0"}}, "requires engine_version_semver 1.0.0"},
		{"old integer form, older", []Requirement{{"engine_version", "26"}}, ""},
		{"old integer form, newer", []Requirement{{"engine_version", "64"}}, "requires engine_version 64, this sensor has 63"},
		{"integer under the semver name", []Requirement{{"engine_version_semver", "26"}}, "want an integer"},
		{"semver under the integer name", []Requirement{{"engine_version", "0.26.0"}}, "want a semantic version"},
		{"unknown requirement", []Requirement{{"k8saudit_version", "0.1.0"}}, "does not provide"},
		{"pre-release suffix", []Requirement{{"engine_version_semver", "0.63.0-rc1"}}, ""},
	} {
		t.Run(tc.description, func(t *testing.T) {
			err := CheckRequirements(Config{Requirements: tc.req}, have)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrRequirement) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want ErrRequirement containing %q", err, tc.want)
			}
		})
	}
}

// TestPullRefusesNewerEngine pushes rules requiring a newer engine than
// this build's to docker-registry: Pull refuses them, naming both versions.
func TestPullRefusesNewerEngine(t *testing.T) {
	ctx := context.Background()
	reg := regtest.Start(t)
	st, err := registry.OpenRemote(reg.Repo("probehub/rules"))
	if err != nil {
		t.Fatal(err)
	}
	signer, verifier := keys(t)
	cfg := Config{Name: "future-rules", Version: "9.0.0", Requirements: []Requirement{{"engine_version_semver", "0.99.0"}}}
	if _, err := Push(ctx, st, "next", cfg, rulesFiles(t), signer, st.Repository()); err != nil {
		t.Fatal(err)
	}
	_, err = Pull(ctx, st, "next", registry.PullOptions{Verifier: verifier})
	if !errors.Is(err, ErrRequirement) || !strings.Contains(err.Error(), "0.99.0") || !strings.Contains(err.Error(), Provides()["engine_version_semver"]) {
		t.Fatalf("Pull: %v, want ErrRequirement naming 0.99.0 and this engine", err)
	}
}
