package commented

import (
	"fmt"  // printing
	"time" // clocks
)

import _telinject "telinject" /*line :6:1*/

func Now() {
	defer _telinject.Span("commented.Now")()
//line :9:1
	fmt.Println(time.Now())
}
