//go:build !linux

package build

import "os"

// mapFile reads the file at path (mapped on Linux).
func mapFile(path string) ([]byte, func() error, error) {
	b, err := os.ReadFile(path)
	return b, func() error { return nil }, err
}
