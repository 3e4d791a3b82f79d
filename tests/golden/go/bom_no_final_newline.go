package bom

func F() int {
	return 1
}