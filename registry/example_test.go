package registry_test

import (
	"fmt"

	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/registry"
)

func ExampleKernelTag() {
	k := kernels.Key{Distro: "debian", VersionID: "12", Arch: "x86_64", Release: "6.1.0-18+deb12u1-amd64"}
	tag, _ := registry.KernelTag("0.1.0", k)
	fmt.Println(tag)
	v, back, _ := registry.ParseKernelTag(tag)
	fmt.Println(v, back)
	// Output:
	// 0.1.0__debian__12__x86_64__6.1.0-18_pdeb12u1-amd64
	// 0.1.0 debian/12/x86_64/6.1.0-18+deb12u1-amd64
}
