package ia32

// Supported says whether this architecture has a 32-bit entry that a
// 64-bit process can call.
const Supported = true

// int80 is in ia32_amd64.s.
func int80(nr, a1, a2, a3, a4 uintptr) uintptr
