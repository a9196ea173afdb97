package container_test

import (
	"fmt"

	"github.com/probehub/probehub/sensor/container"
)

func ExampleParseImage() {
	for _, ref := range []string{
		"docker.io/library/nginx:1.25.3",
		"localhost:5000/team/app",
		"quay.io/org/api@sha256:3fbc632167424a6d997e74f52b878d7cc478225cffac6bc977eedfe51c7f4e79",
	} {
		im, err := container.ParseImage(ref)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("repo=%s tag=%q digest=%t\n", im.Repo, im.Tag, im.Digest != "")
	}
	// Output:
	// repo=docker.io/library/nginx tag="1.25.3" digest=false
	// repo=localhost:5000/team/app tag="" digest=false
	// repo=quay.io/org/api tag="" digest=true
}
