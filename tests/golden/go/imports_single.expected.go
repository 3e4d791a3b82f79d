package single

import "strings"

import _telinject "telinject" /*line :3:1*/

func Upper(s string) string {
	defer _telinject.Span("single.Upper")()
//line :6:1
	return strings.ToUpper(s)
}
