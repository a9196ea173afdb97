package gpu

import (
	"slices"
	"testing"
	"testing/fstest"

	"github.com/probehub/probehub/nvidia"
)

func TestBuiltinProfiles(t *testing.T) {
	ps, err := BuiltinProfiles()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"R535", "R550", "R570", "R580"}
	if len(ps) != len(want) {
		t.Fatalf("%d profiles, want %v", len(ps), want)
	}
	for i, p := range ps {
		if string(p.Branch) != want[i] || len(p.Entries) < 12 || len(p.Modules) == 0 {
			t.Errorf("profile %d: branch %s, %d entries, %d modules", i, p.Branch, len(p.Entries), len(p.Modules))
		}
	}
}

func TestLoadProfilesRejects(t *testing.T) {
	tests := []struct {
		desc, yaml string
	}{
		{"bad branch", "branch: Rx\nentries: []\n"},
		{"match-anything entry", "branch: R550\nentries:\n- {name: a, rules: [r], evt_types: [execve]}\n"},
		{"unknown syscall", "branch: R550\nentries:\n- {name: a, rules: [r], evt_types: [nosuch], files: [/x]}\n"},
		{"bad who", "branch: R550\nentries:\n- {name: a, rules: [r], evt_types: [execve], files: [/x], verify: {binaries: [{who: parent1, root: host}]}}\n"},
		{"bad root", "branch: R550\nentries:\n- {name: a, rules: [r], evt_types: [execve], files: [/x], verify: {binaries: [{who: self, root: tmp}]}}\n"},
		{"duplicate", "branch: R550\nentries:\n- {name: a, rules: [r], evt_types: [execve], files: [/x]}\n- {name: a, rules: [r], evt_types: [execve], files: [/x]}\n"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			fsys := fstest.MapFS{"p/r550.yaml": {Data: []byte(tc.yaml)}}
			if _, err := LoadProfiles(fsys, "p"); err == nil {
				t.Error("LoadProfiles accepted it")
			}
		})
	}
}

func TestProfileBranchesListed(t *testing.T) {
	ps, err := BuiltinProfiles()
	if err != nil {
		t.Fatal(err)
	}
	var got []nvidia.Branch
	for _, p := range ps {
		got = append(got, p.Branch)
	}
	if !slices.Equal(got, nvidia.ProfileBranches) {
		t.Errorf("built-in profiles %v, nvidia.ProfileBranches %v", got, nvidia.ProfileBranches)
	}
}
