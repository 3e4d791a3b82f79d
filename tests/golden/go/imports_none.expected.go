package none

import _telinject "telinject" /*line :1:1*/

func Add(a, b int) int {
//line :3:1
	defer _telinject.Span("none.Add")()
	return a + b
}
