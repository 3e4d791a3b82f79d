package crlf

import "fmt"

func Hello() {
	fmt.Println("hello")
}

func (t *T) Method() int { return 1 }

type T struct{}
