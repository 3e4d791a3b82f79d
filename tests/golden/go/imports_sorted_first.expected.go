package first

import (
	_telinject "telinject" /*line :3:1*/
	"unicode"
	"unicode/utf8"
)

func Runes(s string) int {
	defer _telinject.Span("first.Runes")()
//line :9:1
	if !unicode.IsUpper(rune(s[0])) {
		return 0
	}
	return utf8.RuneCountInString(s)
}
