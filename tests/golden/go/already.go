package already

import (
	"fmt"
	_telinject "telinject" /*line :4:1*/
)

func Done() {
//line :7:1
	defer _telinject.Span("already.Done")()
	fmt.Println("done")
}

func New() {
	fmt.Println("new")
}
