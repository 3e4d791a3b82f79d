// telinject: ignore
package optout

import "fmt"

func Ignored() {
	fmt.Println("ignored")
}
