package none

import _telinject_context "context"
import _telinject_otel "go.opentelemetry.io/otel"
import _telinject_attribute "go.opentelemetry.io/otel/attribute"
import _telinject_codes "go.opentelemetry.io/otel/codes" /*line :1:1*/

func Add(a, b int) int {
//line :3:1
	_telinject_ctx, _telinject_span := _telinject_otel.Tracer("telinject").Start(_telinject_context.Background(), "none.Add")
//line :3:1
	_ = _telinject_ctx
//line :3:1
	_telinject_span.SetAttributes(_telinject_attribute.String("code.function.name", "none.Add"), _telinject_attribute.String("code.file.path", "imports_none.go"), _telinject_attribute.Int("code.line.number", 3))
//line :3:1
	defer _telinject_span.End()
//line :3:1
	defer func() {
//line :3:1
		if _telinject_panic := recover(); _telinject_panic != nil {
//line :3:1
			_telinject_span.SetStatus(_telinject_codes.Error, "panic")
//line :3:1
			panic(_telinject_panic)
//line :3:1
		}
//line :3:1
	}()
	return a + b
}
