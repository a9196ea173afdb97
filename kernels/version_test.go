package kernels

import "testing"

func TestParseVersion(t *testing.T) {
	tests := []struct {
		release string
		want    Version
		wantErr bool
	}{
		{"6.1.0-18-amd64", Version{6, 1, 0}, false},
		{"5.15.0-1034-aws", Version{5, 15, 0}, false},
		{"4.19.304", Version{4, 19, 304}, false},
		{"5.8", Version{5, 8, 0}, false},
		{"6", Version{}, true},
		{"linux-6.1", Version{}, true},
		{"", Version{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.release, func(t *testing.T) {
			got, err := ParseVersion(tc.release)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("ParseVersion(%q) = %v, %v; want %v, error %v", tc.release, got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestVersionOrder(t *testing.T) {
	if !V(5, 8).Less(V(5, 10)) || V(5, 10).Less(V(5, 8)) || V(5, 8).Less(V(5, 8)) {
		t.Fatal("Less orders minor versions numerically")
	}
	if (Version{5, 8, 1}).Compare(V(5, 8)) != 1 {
		t.Fatal("5.8.1 is newer than 5.8")
	}
}

func TestGuessBTF(t *testing.T) {
	tests := []struct {
		distro, release string
		want            BTFSource
	}{
		{"debian", "5.10.0-28-amd64", BTFBuiltin},
		{"debian", "4.19.0-26-amd64", BTFNone},
		{"ubuntu", "5.8.0-63-generic", BTFBuiltin},
		{"ubuntu", "5.4.0-150-generic", BTFNone},
		{"debian", "garbage", BTFNone},
	}
	for _, tc := range tests {
		k := &Kernel{Key: Key{Distro: tc.distro, Release: tc.release}}
		if got := GuessBTF(k); got != tc.want {
			t.Errorf("GuessBTF(%s %s) = %v, want %v", tc.distro, tc.release, got, tc.want)
		}
	}
}
