package q

import "os"

func crlf() bool {
	return os.Getenv(`a
b`) == ""
}
