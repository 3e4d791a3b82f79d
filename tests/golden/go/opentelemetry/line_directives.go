package generated

import "fmt"

//line parser.y:100
func Parse() {
	fmt.Println("parse")
}

//line parser.y:200:1
func Lex() {
	fmt.Println("lex")
}
