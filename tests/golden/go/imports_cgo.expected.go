package cgo

// #include <stdlib.h>
import "C"

import _telinject "telinject" /*line :4:1*/

func Random() int {
	defer _telinject.Span("cgo.Random")()
//line :7:1
	return int(C.rand())
}
