// Command demo runs the ecsaudit Lambda handlers on the sample events against the local AWS emulator and prints
// the Security Hub findings and SNS notifications they produce (make demo).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/ecsaudit/ecsaudit/internal/testenv/demo"
)

func main() {
	root := "."
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	if err := demo.Run(context.Background(), os.Stdout, root); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}
