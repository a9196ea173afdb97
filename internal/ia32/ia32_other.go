//go:build !amd64

package ia32

// Supported says whether this architecture has a 32-bit entry that a
// 64-bit process can call.
const Supported = false

func int80(_, _, _, _, _ uintptr) uintptr { return 0 }
