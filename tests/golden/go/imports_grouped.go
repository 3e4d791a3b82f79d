package grouped

import (
	"fmt"
	"os"

	"example.com/other/lib"
	"golang.org/x/text"
)

func Run() {
	fmt.Fprintln(os.Stderr, lib.Name, text.Version)
}
