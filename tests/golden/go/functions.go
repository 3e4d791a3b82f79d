// Package shapes has functions and methods of every form.
package shapes

import (
	"errors"
	"math"
)

type Point struct{ X, Y float64 }

type Stack[T any] struct{ items []T }

// Dist is a value-receiver method.
func (p Point) Dist(q Point) float64 {
	return math.Hypot(p.X-q.X, p.Y-q.Y)
}

func (p *Point) Scale(f float64) {
	p.X *= f
	p.Y *= f
}

func (s *Stack[T]) Push(v T) { s.items = append(s.items, v) }

func (s *Stack[T]) Pop() (T, error) { // comment after the brace
	var zero T
	if len(s.items) == 0 {
		return zero, errors.New("empty")
	}
	v := s.items[len(s.items)-1]
	s.items = s.items[:len(s.items)-1]
	return v, nil
}

func Map[T, U any](xs []T, f func(T) U) []U {
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
	return first + len(second), nil
}

func Short() int { return 1 }

func TooLongForOneLine(alpha, beta, gamma, delta int) int { return alpha + beta + gamma + delta }

func Empty() {}

func NothingButComments() {
	// TODO
}

// Implemented in assembly.
func archSqrt(x float64) float64

func init() {
	_ = Point{}
}
