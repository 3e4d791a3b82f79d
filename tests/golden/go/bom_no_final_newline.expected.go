package bom

import _telinject "telinject" /*line :1:1*/

func F() int {
//line :3:1
	defer _telinject.Span("bom.F")()
	return 1
}