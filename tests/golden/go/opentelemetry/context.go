// Package orders uses contexts.
package orders

import (
	"context"
	"net/http"
)

type Store struct{ name string }

// Load takes its context first: its span is the parent of the spans it passes ctx to.
func (s *Store) Load(ctx context.Context, id int) (string, error) {
	// leading comment of the body
	return s.name, ctx.Err()
}

// Skip has an unnamed context: a root span.
func Skip(_ context.Context, n int) int {
	return n
}

func Serve(w http.ResponseWriter, r *http.Request) { // a comment after the brace
	_, _ = w.Write([]byte(r.URL.Path))
}

func generic[T any](ctx context.Context, values []T) int {
	go func() {
		_ = ctx
	}()
	return len(values)
}

func short() int { return 1 }
