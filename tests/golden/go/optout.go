package optout

import "fmt"

func Kept() {
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
	fmt.Println("// telinject: ignore is only a string here")
}
