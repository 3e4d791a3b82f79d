package grouped

import (
	"fmt"
	"os"

	"example.com/other/lib"
	"golang.org/x/text"
	_telinject "telinject" /*line :8:1*/
)

func Run() {
//line :11:1
	defer _telinject.Span("grouped.Run")()
	fmt.Fprintln(os.Stderr, lib.Name, text.Version)
}
