package optout

import "fmt"
import _telinject "telinject" /*line :3:1*/

func Kept() {
//line :5:1
	defer _telinject.Span("optout.Kept")()
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
//line :18:1
	defer _telinject.Span("optout.NotIgnored")()
	fmt.Println("// telinject: ignore is only a string here")
}
