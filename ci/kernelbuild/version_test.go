package kernelbuild

import (
	"os/exec"
	"testing"
)

var versionPairs = [][2]string{
	{"6.1.187-1", "6.1.192-2"},
	{"6.1.9-1", "6.1.10-1"},
	{"6.1.170-2", "6.1.170-3"},
	{"6.1.170-3", "6.1.170-3+deb12u1"},
	{"6.1~rc1-1", "6.1-1"},
	{"6.1-1", "1:5.10-1"},
	{"6.1.4-1", "6.1.4-1.1"},
	{"6.1a-1", "6.1+b-1"},
}

func TestCompareVersions(t *testing.T) {
	for _, p := range versionPairs {
		if c := compareVersions(p[0], p[1]); c != -1 {
			t.Errorf("compare(%s, %s) = %d, want -1", p[0], p[1], c)
		}
		if c := compareVersions(p[1], p[0]); c != 1 {
			t.Errorf("compare(%s, %s) = %d, want 1", p[1], p[0], c)
		}
		if c := compareVersions(p[0], p[0]); c != 0 {
			t.Errorf("compare(%s, %s) = %d, want 0", p[0], p[0], c)
		}
	}
}

// TestCompareVersionsDpkg checks the pairs against dpkg itself.
func TestCompareVersionsDpkg(t *testing.T) {
	if _, err := exec.LookPath("dpkg"); err != nil {
		t.Skip("no dpkg")
	}
	for _, p := range versionPairs {
		if err := exec.Command("dpkg", "--compare-versions", p[0], "lt", p[1]).Run(); err != nil {
			t.Errorf("dpkg disagrees: %s < %s: %v", p[0], p[1], err)
		}
	}
}

func TestParseVersions(t *testing.T) {
	in := "Package: linux\nVersion: 6.1.170-3\n\nPackage: linux\nVersion: 6.1.187-1\n\nVersion: 6.1.4-1\nVersion: 6.1.187-1\n"
	got := parseVersions(in)
	want := []string{"6.1.187-1", "6.1.170-3", "6.1.4-1"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	if u := upstreamOf("1:6.1.187-1"); u != "6.1.187" {
		t.Errorf("upstreamOf = %q", u)
	}
}
