// The telinject helper's goroutine identity on amd64 and arm64 (docs/go.md): telinject writes it
// beside telinject.go, with goroutine_amd64.s and goroutine_arm64.s.

//go:build gc && (amd64 || arm64)
// +build gc
// +build amd64 arm64

package telinject

import "unsafe"

// getg is the running goroutine's runtime structure (the g register or thread-local slot, read
// by goroutine_amd64.s or goroutine_arm64.s). It lives as long as the process; a goroutine
// started after this one ended may be given the same.
func getg() unsafe.Pointer
