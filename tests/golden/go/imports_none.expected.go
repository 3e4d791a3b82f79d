package none

import _telinject "telinject" /*line :1:1*/

func Add(a, b int) int {
	defer _telinject.Span("none.Add")()
//line :4:1
	return a + b
}
