package container

import (
	"errors"
	"strings"
	"testing"
)

const hex64 = "4c0fdaa8b6341bfdeca5f18f7837462c80cff90527ee35ef185571e1c327beac"

func TestParseImage(t *testing.T) {
	tests := []struct {
		desc, ref string
		want      Image
		wantErr   bool
	}{
		{"docker hub short", "nginx", Image{Repo: "nginx"}, false},
		{"docker hub tag", "nginx:1.25", Image{Repo: "nginx", Tag: "1.25"}, false},
		{"fully qualified", "docker.io/library/nginx:1.25.3", Image{Repo: "docker.io/library/nginx", Tag: "1.25.3"}, false},
		{"registry port, no tag", "localhost:5000/team/app", Image{Repo: "localhost:5000/team/app"}, false},
		{"registry port and tag", "localhost:5000/team/app:v1", Image{Repo: "localhost:5000/team/app", Tag: "v1"}, false},
		{"by digest", "docker.io/library/nginx@sha256:" + hex64, Image{Repo: "docker.io/library/nginx", Digest: "sha256:" + hex64}, false},
		{"tag and digest", "quay.io/org/app:v2@sha256:" + hex64, Image{Repo: "quay.io/org/app", Tag: "v2", Digest: "sha256:" + hex64}, false},
		{"bare image id", "sha256:" + hex64, Image{Digest: "sha256:" + hex64}, false},
		{"short hex is a tag, not an id", "sha256:abc", Image{Repo: "sha256", Tag: "abc"}, false},
		{"empty", "", Image{}, true},
		{"space", "nginx :1", Image{}, true},
		{"empty tag", "nginx:", Image{}, true},
		{"empty repo", ":1.25", Image{}, true},
		{"empty digest", "nginx@", Image{}, true},
		{"two digests", "nginx@sha256:a@sha256:b", Image{}, true},
		{"digest only after @", "@sha256:" + hex64, Image{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			got, err := ParseImage(tc.ref)
			if tc.wantErr {
				if !errors.Is(err, ErrBadImage) {
					t.Fatalf("ParseImage(%q) = %+v, %v; want an ErrBadImage", tc.ref, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseImage(%q) = %+v, %v; want %+v", tc.ref, got, err, tc.want)
			}
			if s := got.String(); s != tc.ref {
				t.Errorf("String() = %q, want %q", s, tc.ref)
			}
		})
	}
}

func FuzzParseImage(f *testing.F) {
	for _, s := range []string{"nginx", "docker.io/library/nginx:1.25.3", "localhost:5000/a/b:c@sha256:" + hex64,
		"sha256:" + hex64, "a@b", ":", "@", "a:b:c/d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		im, err := ParseImage(ref)
		if err != nil {
			if !errors.Is(err, ErrBadImage) {
				t.Fatalf("error %v does not wrap ErrBadImage", err)
			}
			return
		}
		if s := im.String(); s != ref {
			t.Fatalf("ParseImage(%q) = %+v, which joins to %q", ref, im, s)
		}
		if strings.Contains(im.Tag, "/") || strings.Contains(im.Tag, ":") || strings.Contains(im.Digest, "@") {
			t.Fatalf("ParseImage(%q) = %+v: bad split", ref, im)
		}
		if im.Repo == "" && !isImageID(im.Digest) {
			t.Fatalf("ParseImage(%q) = %+v: no repo", ref, im)
		}
	})
}

func FuzzParseInfo(f *testing.F) {
	f.Add(`{"sandboxID":"x","config":{"linux":{"security_context":{"privileged":true}}}}`)
	f.Add(`{"privileged":false,"runtimeSpec":{"annotations":{"io.kubernetes.cri-o.ImageName":"a:b"}}}`)
	f.Add(`{"privileged":"yes"}`)
	f.Fuzz(func(t *testing.T, info string) {
		si := parseInfo(map[string]string{"info": info})
		_ = si.privileged()
	})
}
