package crlf

import "fmt"
import _telinject_context "context"
import _telinject_otel "go.opentelemetry.io/otel"
import _telinject_attribute "go.opentelemetry.io/otel/attribute"
import _telinject_codes "go.opentelemetry.io/otel/codes" /*line :3:1*/

func Hello() {
//line :5:1
	_telinject_ctx, _telinject_span := _telinject_otel.Tracer("telinject").Start(_telinject_context.Background(), "crlf.Hello")
//line :5:1
	_ = _telinject_ctx
//line :5:1
	_telinject_span.SetAttributes(_telinject_attribute.String("code.function.name", "crlf.Hello"), _telinject_attribute.String("code.file.path", "crlf.go"), _telinject_attribute.Int("code.line.number", 5))
//line :5:1
	defer _telinject_span.End()
//line :5:1
	defer func() {
//line :5:1
		if _telinject_panic := recover(); _telinject_panic != nil {
//line :5:1
			_telinject_span.SetStatus(_telinject_codes.Error, "panic")
//line :5:1
			panic(_telinject_panic)
//line :5:1
		}
//line :5:1
	}()
	fmt.Println("hello")
}

func (t *T) Method() int { return 1 }

type T struct{}
