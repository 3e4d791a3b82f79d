package crlf

import "fmt"
import _telinject "telinject" /*line :3:1*/

func Hello() {
//line :5:1
	defer _telinject.Span("crlf.Hello")()
	fmt.Println("hello")
}

func (t *T) Method() int { defer _telinject.Span("crlf.(*T).Method")(); return 1 }

type T struct{}
