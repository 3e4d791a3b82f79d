// Package p is a seed.
package p

import (
	"errors"
	"fmt"
)

type Shape interface{ Area() float64 }

type Square struct{ side float64 }

func (s Square) Area() float64 {
	return s.side * s.side
}

func (s *Square) Grow(by float64) error {
	if by < 0 {
		return errors.New("negative")
	}
	s.side += by
	return nil
}

func Generic[T any](values ...T) (out []T, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return values, nil
}
