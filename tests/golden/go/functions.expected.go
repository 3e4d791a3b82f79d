// Package shapes has functions and methods of every form.
package shapes

import (
	"errors"
	"math"
	_telinject "telinject" /*line :6:1*/
)

type Point struct{ X, Y float64 }

type Stack[T any] struct{ items []T }

// Dist is a value-receiver method.
func (p Point) Dist(q Point) float64 {
//line :14:1
	defer _telinject.Span("shapes.Point.Dist")()
	return math.Hypot(p.X-q.X, p.Y-q.Y)
}

func (p *Point) Scale(f float64) {
//line :18:1
	defer _telinject.Span("shapes.(*Point).Scale")()
	p.X *= f
	p.Y *= f
}

func (s *Stack[T]) Push(v T) { s.items = append(s.items, v) }

func (s *Stack[T]) Pop() (T, error) { // comment after the brace
//line :25:1
	defer _telinject.Span("shapes.(*Stack).Pop")()
	var zero T
	if len(s.items) == 0 {
		return zero, errors.New("empty")
	}
	v := s.items[len(s.items)-1]
	s.items = s.items[:len(s.items)-1]
	return v, nil
}

func Map[T, U any](xs []T, f func(T) U) []U {
//line :35:1
	defer _telinject.Span("shapes.Map")()
	out := make([]U, 0, len(xs))
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

func LongSignature(
	first int,
	second string,
) (int, error) {
//line :46:1
	defer _telinject.Span("shapes.LongSignature")()
	return first + len(second), nil
}

func Short() int { defer _telinject.Span("shapes.Short")(); return 1 }

func TooLongForOneLine(alpha, beta, gamma, delta int) int { return alpha + beta + gamma + delta }

func Empty() {}

func NothingButComments() {
	// TODO
}

// Implemented in assembly.
func archSqrt(x float64) float64

func init() {
//line :63:1
	defer _telinject.Span("shapes.init")()
	_ = Point{}
}
