//go:build cgo

package nvml

import (
	"context"
	"fmt"
	"sync"

	gonvml "github.com/NVIDIA/go-nvml/pkg/nvml"

	"github.com/probehub/probehub/nvidia"
)

// Source reads facts from an NVML library. It initializes NVML on first use
// and keeps it initialized until Close. Safe for concurrent use.
type Source struct {
	lib    gonvml.Interface
	mu     sync.Mutex
	inited bool
}

var _ nvidia.Source = (*Source)(nil)

// Open returns a Source over the real NVML library at path; an empty path
// means DefaultLibrary (found by the dynamic loader). Loading is deferred to
// the first Facts call. Call Close when done.
func Open(path string) *Source {
	if path == "" {
		path = DefaultLibrary
	}
	return New(gonvml.New(gonvml.WithLibraryPath(path)))
}

// New returns a Source over lib: the real library or one of go-nvml's fake
// servers (pkg/nvml/mock/dgxh100 and friends).
func New(lib gonvml.Interface) *Source { return &Source{lib: lib} }

// Facts reads the driver, device and process facts. The error wraps
// nvidia.ErrNoDriver when the library, the kernel driver or a GPU is absent.
func (s *Source) Facts(ctx context.Context) (nvidia.Facts, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.init(); err != nil {
		return nvidia.Facts{}, err
	}
	return read(ctx, s.lib)
}

// Close shuts NVML down if Facts initialized it.
func (s *Source) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.inited {
		return nil
	}
	s.inited = false
	if r := s.lib.Shutdown(); r != gonvml.SUCCESS {
		return fmt.Errorf("shut down nvml: %w", retErr(r))
	}
	return nil
}

func (s *Source) init() error {
	if s.inited {
		return nil
	}
	switch r := s.lib.Init(); r {
	case gonvml.SUCCESS:
		s.inited = true
		return nil
	case gonvml.ERROR_LIBRARY_NOT_FOUND, gonvml.ERROR_DRIVER_NOT_LOADED, gonvml.ERROR_NO_PERMISSION:
		return fmt.Errorf("%w: init nvml: %s", nvidia.ErrNoDriver, gonvml.ErrorString(r))
	default:
		return fmt.Errorf("init nvml: %w", retErr(r))
	}
}

// retErr turns an NVML return code into an error.
func retErr(r gonvml.Return) error { return fmt.Errorf("nvml: %s", gonvml.ErrorString(r)) }
