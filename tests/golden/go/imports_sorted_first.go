package first

import (
	"unicode"
	"unicode/utf8"
)

func Runes(s string) int {
	if !unicode.IsUpper(rune(s[0])) {
		return 0
	}
	return utf8.RuneCountInString(s)
}
