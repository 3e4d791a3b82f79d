// The telinject helper's goroutine identity on arm64 (docs/go.md): see goroutine_gc.go.

//go:build gc
// +build gc

#include "textflag.h"

// func getg() unsafe.Pointer
TEXT ·getg(SB), NOSPLIT, $0-8
	MOVD g, R0
	MOVD R0, ret+0(FP)
	RET
