// The telinject helper's goroutine identity where no assembly reads it (docs/go.md): telinject
// writes it beside telinject.go. Other architectures, and gccgo, learn a goroutine's id from
// runtime.Stack (see "Parents" in telinject.go).

//go:build !gc || !(amd64 || arm64)
// +build !gc !amd64,!arm64

package telinject

import "unsafe"

func getg() unsafe.Pointer { return nil }
