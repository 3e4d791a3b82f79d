package closures

import "sort"

var byLength = func(a, b string) bool { return len(a) < len(b) }

func SortByLength(words []string) {
	sort.Slice(words, func(i, j int) bool {
		return byLength(words[i], words[j])
	})
	apply := func(f func()) {
		f()
	}
	apply(func() {
		defer func() {
			recover()
		}()
	})
}
