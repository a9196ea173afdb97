//go:build !linux

package probe

import "fmt"

func ensureTracefs() error { return fmt.Errorf("%w: not Linux", ErrTracefs) }

func eventsDir() string { return "" }
