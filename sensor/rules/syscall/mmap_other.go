//go:build !amd64

package syscall

// mapArch32Bit: MAP_32BIT exists on x86-64 only.
const mapArch32Bit = 0
