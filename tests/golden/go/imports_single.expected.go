package single

import "strings"
import _telinject "telinject" /*line :3:1*/

func Upper(s string) string {
//line :5:1
	defer _telinject.Span("single.Upper")()
	return strings.ToUpper(s)
}
