package registry

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/registry/sign"
)

// fixtures are the real minimized BTF, probe object and banner in testdata.
type fixtures struct {
	btf, probe []byte
	banner     string
}

func loadFixtures(tb testing.TB) fixtures {
	tb.Helper()
	read := func(name string) []byte {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			tb.Fatal(err)
		}
		return b
	}
	return fixtures{btf: read("min.btf"), probe: read("probe.o"), banner: strings.TrimRight(string(read("banner.txt")), "\n")}
}

// artifact returns the i-th test kernel: a distinct key, banner and BTF
// (the real BTF with one extra string, still valid BTF).
func (f fixtures) artifact(tb testing.TB, version string, i int) KernelArtifact {
	tb.Helper()
	return KernelArtifact{
		Key:          kernels.Key{Distro: "ubuntu", VersionID: "22.04", Arch: "x86_64", Release: fmt.Sprintf("5.15.0-%d-generic", i)},
		Banner:       fmt.Sprintf("Linux version 5.15.0-%d-generic (buildd@lcy02) #%d-Ubuntu SMP", i, i),
		ProbeVersion: version,
		Verdict:      "ok",
		Features:     []string{"tracepoint", "ringbuf"},
		BTF:          variantBTF(tb, f.btf, i),
		ProbeObject:  f.probe,
	}
}

// variantBTF appends a string to the BTF string section.
func variantBTF(tb testing.TB, btf []byte, i int) []byte {
	tb.Helper()
	le := binary.LittleEndian
	hdrLen, strOff, strLen := le.Uint32(btf[4:]), le.Uint32(btf[16:]), le.Uint32(btf[20:])
	if int(hdrLen+strOff+strLen) != len(btf) {
		tb.Fatal("fixture BTF: string section is not last")
	}
	extra := fmt.Appendf(nil, "probehub_test_%d\x00", i)
	out := append(append([]byte{}, btf...), extra...)
	le.PutUint32(out[20:], strLen+uint32(len(extra)))
	return out
}

func newKeys(tb testing.TB) (*sign.Signer, *sign.Verifier) {
	tb.Helper()
	priv, _, err := sign.GenerateKey()
	if err != nil {
		tb.Fatal(err)
	}
	s, err := sign.ParseSigner(priv)
	if err != nil {
		tb.Fatal(err)
	}
	return s, s.Verifier()
}

func mustLayer(tb testing.TB, m Manifest) v1.Hash {
	tb.Helper()
	var man v1.Manifest
	if err := json.Unmarshal(m.Raw, &man); err != nil || len(man.Layers) == 0 {
		tb.Fatalf("manifest %s: %v", m.Digest, err)
	}
	return man.Layers[0].Digest
}
