function crlf(a) {
	return `multi
line ${a}`;
}
