package broken

import _telinject "telinject" /*line :1:1*/

func Good() {
	defer _telinject.Span("broken.Good")()
//line :4:1
	println("good")
}

func Bad() {
	x := (1 +
}

func AlsoGood() {
	println("also")
}
