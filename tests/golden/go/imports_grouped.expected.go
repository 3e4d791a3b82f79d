package grouped

import (
	"fmt"
	"os"

	"example.com/other/lib"
	"golang.org/x/text"
	_telinject "telinject" /*line :8:1*/
)

func Run() {
	defer _telinject.Span("grouped.Run")()
//line :12:1
	fmt.Fprintln(os.Stderr, lib.Name, text.Version)
}
