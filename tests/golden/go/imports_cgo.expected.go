package cgo

// #include <stdlib.h>
import "C"
import _telinject "telinject" /*line :4:1*/

func Random() int {
//line :6:1
	defer _telinject.Span("cgo.Random")()
	return int(C.rand())
}
