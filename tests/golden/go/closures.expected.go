package closures

import "sort"
import _telinject "telinject" /*line :3:1*/

var byLength = func(a, b string) bool { return len(a) < len(b) }

func SortByLength(words []string) {
//line :7:1
	defer _telinject.Span("closures.SortByLength")()
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
