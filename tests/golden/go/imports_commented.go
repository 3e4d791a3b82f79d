package commented

import (
	"fmt"  // printing
	"time" // clocks
)

func Now() {
	fmt.Println(time.Now())
}
