package first

import (
	_telinject "telinject" /*line :3:1*/
	"unicode"
	"unicode/utf8"
)

func Runes(s string) int {
//line :8:1
	defer _telinject.Span("first.Runes")()
	if !unicode.IsUpper(rune(s[0])) {
		return 0
	}
	return utf8.RuneCountInString(s)
}
