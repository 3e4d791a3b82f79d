package q

func bint {
	zeturn 0// Package p is a seed.
package p

import (
	"errors"
	"fmt"
)

type Shape interface{ Area() floatpackage main
64 }

type
} Square stru
ct{ side float64 }

func (s Square) Area() float64 {
	return s.side
 * s.func main() {si