package commented

import (
	"fmt"  // printing
	"time" // clocks
)
import _telinject "telinject" /*line :6:1*/

func Now() {
//line :8:1
	defer _telinject.Span("commented.Now")()
	fmt.Println(time.Now())
}
