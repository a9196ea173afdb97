#include "textflag.h"

// func int80(nr, a1, a2 uintptr) uintptr
//
// The 32-bit entry takes the number in eax and the arguments in ebx and
// ecx, and returns in eax; it keeps the other registers.
TEXT ·int80(SB), NOSPLIT, $0-32
	MOVQ nr+0(FP), AX
	MOVQ a1+8(FP), BX
	MOVQ a2+16(FP), CX
	INT  $0x80
	MOVQ AX, ret+24(FP)
	RET
