package main

import (
	"context"
	"errors"
)

// minimizedBTFFromDeb extracts a kernel's BTF from its package and minimizes
// it for the sensor's probes. Wired to the builder once it lands.
func minimizedBTFFromDeb(ctx context.Context, deb string) ([]byte, error) {
	return nil, errors.New("minimized BTF: builder not wired yet")
}
