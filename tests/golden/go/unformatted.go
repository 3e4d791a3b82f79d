// Package unformatted is laid out as gofmt would not lay it out: spaces for indentation,
// an unsorted import group, no space before braces, misaligned fields. gofmt run on the
// instrumented file must leave telemetry that `remove` still recognises.
package unformatted

import (
    "strings"
    "fmt"
    "errors"
)

type Account struct {
    Name string
    Balance    int
}

func (a *Account) Deposit(amount int) error{
    if amount<0 {
        return errors.New("negative")
    }
    a.Balance+=amount
    return nil
}

func (a Account) String() string {return fmt.Sprintf("%s: %d", a.Name, a.Balance)}

func Upper(s string) string { // comment after the brace
        return strings.ToUpper(s)
}


func Twice(s string) string {
    s = s + s


    return s
}

func Inline() int { x := 1
    return x
}

func Nested(xs []int) (total int) {
    add := func(x int) {
        total += x
    }
    for _, x := range xs { add(x) }
    return
}

// Fits on one row with telemetry as written, not once gofmt has spaced it out.
func Sum(a, b int) int {x:=a*b+a;y:=x-a*2;return x+y}
