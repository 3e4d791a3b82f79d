package generated

import "fmt"

import _telinject "telinject" /*line :3:1*/

//line parser.y:100
func Parse() {
	defer _telinject.Span("generated.Parse")()
//line :101:1
	fmt.Println("parse")
}

//line parser.y:200:1
func Lex() {
	defer _telinject.Span("generated.Lex")()
//line :201:1
	fmt.Println("lex")
}
