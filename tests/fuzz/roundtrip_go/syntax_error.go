package q

func broken( {
}

func ok() int {
	return 1
}
