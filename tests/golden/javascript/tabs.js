function tabs() {
	if (true) {
		return 1;
	}
}
