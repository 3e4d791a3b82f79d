package main

func main() {
	add := func(a, b int) int { return a + b }
	go func() {
		println(add(1, 2))
	}()
	var f func() = func() {}
	f()
}

func empty() {}

func multiline(
	a int,
	b string,
) string { return b }
