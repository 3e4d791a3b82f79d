package optout

import "fmt"

import _telinject "telinject" /*line :3:1*/

func Kept() {
	defer _telinject.Span("optout.Kept")()
//line :6:1
	fmt.Println("kept")
}

// telinject: ignore
func Ignored() {
	fmt.Println("ignored")
}

func AlsoIgnored() { // telinject: ignore
	fmt.Println("also ignored")
}

func NotIgnored() {
	defer _telinject.Span("optout.NotIgnored")()
//line :19:1
	fmt.Println("// telinject: ignore is only a string here")
}
