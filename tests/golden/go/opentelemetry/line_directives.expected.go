package generated

import "fmt"
import _telinject_context "context"
import _telinject_otel "go.opentelemetry.io/otel"
import _telinject_attribute "go.opentelemetry.io/otel/attribute"
import _telinject_codes "go.opentelemetry.io/otel/codes"

//line parser.y:100
func Parse() {
//line :100:1
	_telinject_ctx, _telinject_span := _telinject_otel.Tracer("telinject").Start(_telinject_context.Background(), "generated.Parse")
//line :100:1
	_ = _telinject_ctx
//line :100:1
	_telinject_span.SetAttributes(_telinject_attribute.String("code.function.name", "generated.Parse"), _telinject_attribute.String("code.file.path", "line_directives.go"), _telinject_attribute.Int("code.line.number", 100))
//line :100:1
	defer _telinject_span.End()
//line :100:1
	defer func() {
//line :100:1
		if _telinject_panic := recover(); _telinject_panic != nil {
//line :100:1
			_telinject_span.SetStatus(_telinject_codes.Error, "panic")
//line :100:1
			panic(_telinject_panic)
//line :100:1
		}
//line :100:1
	}()
	fmt.Println("parse")
}

//line parser.y:200:1
func Lex() {
//line :200:1
	_telinject_ctx, _telinject_span := _telinject_otel.Tracer("telinject").Start(_telinject_context.Background(), "generated.Lex")
//line :200:1
	_ = _telinject_ctx
//line :200:1
	_telinject_span.SetAttributes(_telinject_attribute.String("code.function.name", "generated.Lex"), _telinject_attribute.String("code.file.path", "line_directives.go"), _telinject_attribute.Int("code.line.number", 200))
//line :200:1
	defer _telinject_span.End()
//line :200:1
	defer func() {
//line :200:1
		if _telinject_panic := recover(); _telinject_panic != nil {
//line :200:1
			_telinject_span.SetStatus(_telinject_codes.Error, "panic")
//line :200:1
			panic(_telinject_panic)
//line :200:1
		}
//line :200:1
	}()
	fmt.Println("lex")
}
