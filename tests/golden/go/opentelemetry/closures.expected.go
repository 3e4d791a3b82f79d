package closures

import "sort"
import _telinject_context "context"
import _telinject_otel "go.opentelemetry.io/otel"
import _telinject_attribute "go.opentelemetry.io/otel/attribute"
import _telinject_codes "go.opentelemetry.io/otel/codes" /*line :3:1*/

var byLength = func(a, b string) bool { return len(a) < len(b) }

func SortByLength(words []string) {
//line :7:1
	_telinject_ctx, _telinject_span := _telinject_otel.Tracer("telinject").Start(_telinject_context.Background(), "closures.SortByLength")
//line :7:1
	_ = _telinject_ctx
//line :7:1
	_telinject_span.SetAttributes(_telinject_attribute.String("code.function.name", "closures.SortByLength"), _telinject_attribute.String("code.file.path", "closures.go"), _telinject_attribute.Int("code.line.number", 7))
//line :7:1
	defer _telinject_span.End()
//line :7:1
	defer func() {
//line :7:1
		if _telinject_panic := recover(); _telinject_panic != nil {
//line :7:1
			_telinject_span.SetStatus(_telinject_codes.Error, "panic")
//line :7:1
			panic(_telinject_panic)
//line :7:1
		}
//line :7:1
	}()
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
