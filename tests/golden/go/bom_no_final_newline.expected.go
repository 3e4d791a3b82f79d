package bom

import _telinject "telinject" /*line :1:1*/

func F() int {
	defer _telinject.Span("bom.F")()
//line :4:1
	return 1
}