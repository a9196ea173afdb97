package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"github.com/probehub/probehub/deploy/image"
)

// valuesKeys are the Helm chart's image values (image.<key>) of each image
// `image build` writes.
var valuesKeys = map[string]string{"probehub-sensor": "sensor", "probehub": "server"}

// pinValues writes the digests of written into the chart values file at
// path: the digest of the line `  <key>: {repository: …, tag: …, digest: …}`
// under `image:`, and the tag. Every other byte of the file stays as it
// was; the file is replaced atomically. A values file without one of the
// lines is an error naming it, and nothing is written.
func pinValues(path, tag string, written []image.Written) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("pin values: %w", err)
	}
	if b, err = pinned(b, path, tag, written); err != nil {
		return err
	}
	return writeAtomic(path, b)
}

// checkPinnable reports, before a build, whether pinValues could write
// both images' digests into path.
func checkPinnable(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("--pin-values: %w", err)
	}
	ws := []image.Written{{Name: "probehub-sensor"}, {Name: "probehub"}}
	_, err = pinned(b, path, "", ws)
	return err
}

// pinned returns values b with written's digests and tag set.
func pinned(b []byte, path, tag string, written []image.Written) ([]byte, error) {
	for _, w := range written {
		key, ok := valuesKeys[w.Name]
		if !ok {
			continue
		}
		re := regexp.MustCompile(`(?m)^(  ` + key + `: \{repository: [^,}]+, tag: )"[^"]*"(, digest: )"[^"]*"(\})`)
		if n := len(re.FindAllIndex(b, -1)); n != 1 {
			return nil, fmt.Errorf("pin values: %s: want one line `  %s: {repository: NAME, tag: \"…\", digest: \"…\"}` under image:, found %d; nothing written", path, key, n)
		}
		b = re.ReplaceAll(b, []byte(`${1}"`+tag+`"${2}"`+w.Digest.String()+`"${3}`))
	}
	return b, nil
}

// writeAtomic replaces path with b through a temporary file beside it.
func writeAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("pin values: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		_ = tmp.Close() // the write error is the one to report
		return fmt.Errorf("pin values: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("pin values: %w", err)
	}
	if st, err := os.Stat(path); err == nil {
		if err := os.Chmod(tmp.Name(), st.Mode().Perm()); err != nil {
			return fmt.Errorf("pin values: %w", err)
		}
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("pin values: %w", err)
	}
	return nil
}
