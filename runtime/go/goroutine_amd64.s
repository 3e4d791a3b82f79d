// The telinject helper's goroutine identity on amd64 (docs/go.md): see goroutine_gc.go.

//go:build gc
// +build gc

#include "textflag.h"

// func getg() unsafe.Pointer
TEXT ·getg(SB), NOSPLIT, $0-8
	MOVQ (TLS), AX
	MOVQ AX, ret+0(FP)
	RET
