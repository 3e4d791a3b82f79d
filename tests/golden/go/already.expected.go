package already

import (
	"fmt"
	_telinject "telinject" /*line :4:1*/
)

func Done() {
	defer _telinject.Span("already.Done")()
//line :8:1
	fmt.Println("done")
}

func New() {
	defer _telinject.Span("already.New")()
//line :12:1
	fmt.Println("new")
}
