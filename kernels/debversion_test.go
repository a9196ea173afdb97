package kernels

import "testing"

func TestCompareDebVersions(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"5.15.0-91.101", "5.15.0-91.101", 0},
		{"5.15.0-91.101", "5.15.0-100.110", -1},
		{"6.8.0-45.45~22.04.1", "6.8.0-45.45", -1},
		{"6.1.192-2", "6.1.192-3", -1},
		{"6.12.95-1~bpo12+1", "6.12.95-1", -1},
		{"1:1.0", "2.0", 1},
		{"535.183.01-0ubuntu0.22.04.1", "535.129.03-0ubuntu0.22.04.1", 1},
		{"1.0a", "1.0", 1},
		{"1.0", "1.0+b1", -1},
	} {
		if got := CompareDebVersions(tc.a, tc.b); got != tc.want {
			t.Errorf("CompareDebVersions(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := CompareDebVersions(tc.b, tc.a); got != -tc.want {
			t.Errorf("CompareDebVersions(%q, %q) = %d, want %d", tc.b, tc.a, got, -tc.want)
		}
	}
}

func FuzzCompareDebVersions(f *testing.F) {
	f.Add("5.15.0-91.101", "6.8.0-45.45~22.04.1")
	f.Fuzz(func(t *testing.T, a, b string) {
		if CompareDebVersions(a, b) != -CompareDebVersions(b, a) {
			t.Errorf("not antisymmetric: %q %q", a, b)
		}
	})
}
