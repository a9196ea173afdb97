#include "textflag.h"

// func int80(nr, a1, a2, a3, a4 uintptr) uintptr
//
// The 32-bit entry takes the number in eax and the arguments in ebx, ecx,
// edx and esi, and returns in eax; it keeps the other registers.
TEXT ·int80(SB), NOSPLIT, $0-48
	MOVQ nr+0(FP), AX
	MOVQ a1+8(FP), BX
	MOVQ a2+16(FP), CX
	MOVQ a3+24(FP), DX
	MOVQ a4+32(FP), SI
	INT  $0x80
	MOVQ AX, ret+40(FP)
	RET
