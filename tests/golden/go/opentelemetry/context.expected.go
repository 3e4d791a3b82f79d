// Package orders uses contexts.
package orders

import (
	"context"
	"net/http"
)
import _telinject_context "context"
import _telinject_otel "go.opentelemetry.io/otel"
import _telinject_attribute "go.opentelemetry.io/otel/attribute"
import _telinject_codes "go.opentelemetry.io/otel/codes"

type Store struct{ name string }

// Load takes its context first: its span is the parent of the spans it passes ctx to.
func (s *Store) Load(ctx context.Context, id int) (string, error) {
//line :12:1
	_telinject_ctx, _telinject_span := _telinject_otel.Tracer("telinject").Start(_telinject_context.Context(ctx), "orders.(*Store).Load")
//line :12:1
	ctx = _telinject_ctx
//line :12:1
	_telinject_span.SetAttributes(_telinject_attribute.String("code.function.name", "orders.(*Store).Load"), _telinject_attribute.String("code.file.path", "context.go"), _telinject_attribute.Int("code.line.number", 12))
//line :12:1
	defer _telinject_span.End()
//line :12:1
	defer func() {
//line :12:1
		if _telinject_panic := recover(); _telinject_panic != nil {
//line :12:1
			_telinject_span.SetStatus(_telinject_codes.Error, "panic")
//line :12:1
			panic(_telinject_panic)
//line :12:1
		}
//line :12:1
	}()
	// leading comment of the body
	return s.name, ctx.Err()
}

// Skip has an unnamed context: a root span.
func Skip(_ context.Context, n int) int {
//line :18:1
	_telinject_ctx, _telinject_span := _telinject_otel.Tracer("telinject").Start(_telinject_context.Background(), "orders.Skip")
//line :18:1
	_ = _telinject_ctx
//line :18:1
	_telinject_span.SetAttributes(_telinject_attribute.String("code.function.name", "orders.Skip"), _telinject_attribute.String("code.file.path", "context.go"), _telinject_attribute.Int("code.line.number", 18))
//line :18:1
	defer _telinject_span.End()
//line :18:1
	defer func() {
//line :18:1
		if _telinject_panic := recover(); _telinject_panic != nil {
//line :18:1
			_telinject_span.SetStatus(_telinject_codes.Error, "panic")
//line :18:1
			panic(_telinject_panic)
//line :18:1
		}
//line :18:1
	}()
	return n
}

func Serve(w http.ResponseWriter, r *http.Request) { // a comment after the brace
//line :22:1
	_telinject_ctx, _telinject_span := _telinject_otel.Tracer("telinject").Start(_telinject_context.Background(), "orders.Serve")
//line :22:1
	_ = _telinject_ctx
//line :22:1
	_telinject_span.SetAttributes(_telinject_attribute.String("code.function.name", "orders.Serve"), _telinject_attribute.String("code.file.path", "context.go"), _telinject_attribute.Int("code.line.number", 22))
//line :22:1
	defer _telinject_span.End()
//line :22:1
	defer func() {
//line :22:1
		if _telinject_panic := recover(); _telinject_panic != nil {
//line :22:1
			_telinject_span.SetStatus(_telinject_codes.Error, "panic")
//line :22:1
			panic(_telinject_panic)
//line :22:1
		}
//line :22:1
	}()
	_, _ = w.Write([]byte(r.URL.Path))
}

func generic[T any](ctx context.Context, values []T) int {
//line :26:1
	_telinject_ctx, _telinject_span := _telinject_otel.Tracer("telinject").Start(_telinject_context.Context(ctx), "orders.generic")
//line :26:1
	ctx = _telinject_ctx
//line :26:1
	_telinject_span.SetAttributes(_telinject_attribute.String("code.function.name", "orders.generic"), _telinject_attribute.String("code.file.path", "context.go"), _telinject_attribute.Int("code.line.number", 26))
//line :26:1
	defer _telinject_span.End()
//line :26:1
	defer func() {
//line :26:1
		if _telinject_panic := recover(); _telinject_panic != nil {
//line :26:1
			_telinject_span.SetStatus(_telinject_codes.Error, "panic")
//line :26:1
			panic(_telinject_panic)
//line :26:1
		}
//line :26:1
	}()
	go func() {
		_ = ctx
	}()
	return len(values)
}

func short() int { return 1 }
