package nvidia

import "testing"

func TestParseBranch(t *testing.T) {
	tests := []struct {
		desc, in string
		want     Branch
		wantErr  bool
	}{
		{"full version", "550.54.15", "R550", false},
		{"two parts", "580.65", "R580", false},
		{"major only", "535", "R535", false},
		{"empty", "", "", true},
		{"garbage", "abc.1", "", true},
		{"negative", "-1.2", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			got, err := ParseBranch(tc.in)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("ParseBranch(%q) = %q, %v; want %q, err %v", tc.in, got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestCUDAVersion(t *testing.T) {
	for in, want := range map[int]string{12040: "12.4", 13000: "13.0", 12080: "12.8", 0: ""} {
		if got := CUDAVersion(in); got != want {
			t.Errorf("CUDAVersion(%d) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParseBranch(f *testing.F) {
	f.Add("550.54.15")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseBranch(s)
		if err == nil && (len(b) < 2 || b[0] != 'R') {
			t.Errorf("ParseBranch(%q) = %q without error", s, b)
		}
	})
}
