package gpu

import (
	"testing"
	"testing/fstest"
)

// FuzzLoadProfiles: any profile and include file give profiles that
// validate or an error naming the file, never a panic. Seeds are the
// shipped profiles (profiles/r550.yaml and its entries.yaml).
func FuzzLoadProfiles(f *testing.F) {
	prof, err := profileFS.ReadFile("profiles/r550.yaml")
	if err != nil {
		f.Fatal(err)
	}
	entries, err := profileFS.ReadFile("profiles/entries.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(prof, entries)
	f.Add([]byte("branch: R999\ninclude: ../../etc/passwd\n"), []byte("- {}\n"))
	f.Add([]byte("branch: R550\nentries: [{binaries: [{who: parent9, root: host}]}]\n"), []byte(""))
	f.Fuzz(func(t *testing.T, prof, entries []byte) {
		fsys := fstest.MapFS{"p/r1.yaml": {Data: prof}, "p/entries.yaml": {Data: entries}}
		ps, err := LoadProfiles(fsys, "p")
		if err != nil {
			return
		}
		for _, p := range ps {
			if err := p.validate(); err != nil {
				t.Fatalf("loaded a profile that does not validate: %v", err)
			}
		}
	})
}
