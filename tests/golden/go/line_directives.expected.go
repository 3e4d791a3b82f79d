package generated

import "fmt"
import _telinject "telinject" /*line :3:1*/

//line parser.y:100
func Parse() {
//line :100:1
	defer _telinject.Span("generated.Parse")()
	fmt.Println("parse")
}

//line parser.y:200:1
func Lex() {
//line :200:1
	defer _telinject.Span("generated.Lex")()
	fmt.Println("lex")
}
