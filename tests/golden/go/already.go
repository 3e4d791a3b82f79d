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
	fmt.Println("new")
}
