package output

import (
	"io"
	"os"
	"testing"
)

// FuzzParseConfig: any routes file gives a config or an error naming the
// file, never a panic; a parsed config builds a router or an error, and
// every namespace routes to outputs that exist. The seed is the routes
// file of the shipped manifests (deploy/kubernetes).
func FuzzParseConfig(f *testing.F) {
	b, err := os.ReadFile("testdata/routes.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b, "team-a-x")
	f.Add([]byte("outputs: [{name: a, type: file, path: /tmp/x}]\ndefault: [a]\n"), "")
	f.Add([]byte("default: [nowhere]\n"), "kube-system")
	f.Add([]byte("outputs: &a [*a]\n"), "")
	f.Fuzz(func(t *testing.T, b []byte, ns string) {
		c, err := ParseConfig(b, "routes.yaml")
		if err != nil {
			return
		}
		for i := range c.Outputs { // no files from fuzzed paths
			if c.Outputs[i].Type == "file" {
				c.Outputs[i].Type = "stdout"
			}
		}
		r, closers, err := c.Build(io.Discard)
		for _, cl := range closers {
			cl.Close()
		}
		if err != nil {
			return
		}
		defer r.Close()
		for _, name := range r.Targets(ns) {
			if _, ok := r.queues[name]; !ok {
				t.Fatalf("namespace %q routes to %q, no such output", ns, name)
			}
		}
	})
}
