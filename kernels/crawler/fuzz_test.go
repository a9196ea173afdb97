package crawler_test

import (
	"context"
	"os"
	"testing"

	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/kernels/crawler"
)

// FuzzParse: any bytes give kernels or an error, never a panic; every
// kernel is an Ubuntu kernel of the asked arch whose headers URL names its
// release, and the catalog takes or counts it as invalid. Seeds: real
// records of the kernel-crawler x86_64 list of 2022-10-03 (generic, HWE,
// nvidia, oem, lowlatency, xenial LTS).
func FuzzParse(f *testing.F) {
	b, err := os.ReadFile("testdata/kernel-crawler_x86_64_sample.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b, false)
	f.Add([]byte(`[{"kernelrelease":"5.15.0-50-generic","kernelversion":"56","target":"ubuntu-generic","headers":["http://x/pool/main/l/linux/linux-headers-5.15.0-50-generic_5.15.0-50.56_arm64.deb"]}]`), true)
	f.Add([]byte(`{}`), false)
	f.Add([]byte(`[null,1,"x"]`), false)
	f.Fuzz(func(t *testing.T, b []byte, arm bool) {
		arch := "x86_64"
		if arm {
			arch = "aarch64"
		}
		ks, err := crawler.Parse(context.Background(), b, "fuzz.json", arch)
		if err != nil {
			return
		}
		for _, k := range ks {
			if k.Key.Distro != "ubuntu" || k.Key.Arch != arch || k.Packages.Headers == nil {
				t.Fatalf("kernel %s from a record: %+v", k.Key, k)
			}
		}
		kernels.New().Add(ks...)
	})
}
