package broken

import _telinject "telinject" /*line :1:1*/

func Good() {
//line :3:1
	defer _telinject.Span("broken.Good")()
	println("good")
}

func Bad() {
	x := (1 +
}

func AlsoGood() {
	println("also")
}
