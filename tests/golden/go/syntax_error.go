package broken

func Good() {
	println("good")
}

func Bad() {
	x := (1 +
}

func AlsoGood() {
	println("also")
}
