package syscall

// mapArch32Bit is the kernel's MAP_32BIT, an x86-64 flag.
const mapArch32Bit = 0x40
