package probe

import "testing"

func TestWritable(t *testing.T) {
	for _, tc := range []struct {
		mode, uid, gid, euid, egid uint32
		want                       bool
	}{
		{0o555, 0, 0, 0, 0, true},             // root
		{0o755, 1000, 1000, 1000, 1000, true}, // owner may write
		{0o555, 1000, 1000, 1000, 1000, false},
		{0o775, 0, 1000, 1000, 1000, true}, // group
		{0o755, 0, 1000, 1000, 1000, false},
		{0o757, 0, 0, 1000, 1000, true}, // other
		{0o750, 0, 0, 1000, 1000, false},
	} {
		if got := writable(tc.mode, tc.uid, tc.gid, tc.euid, tc.egid); got != tc.want {
			t.Errorf("writable(%o, %d, %d, %d, %d) = %v, want %v", tc.mode, tc.uid, tc.gid, tc.euid, tc.egid, got, tc.want)
		}
	}
}
