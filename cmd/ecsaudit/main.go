// Command ecsaudit runs the ecsaudit rules on local JSON files; see "ecsaudit help".
package main

import (
	"os"

	"github.com/ecsaudit/ecsaudit/internal/cli"
)

func main() {
	st, err := os.Stdout.Stat()
	terminal := err == nil && st.Mode()&os.ModeCharDevice != 0
	os.Exit(cli.Run(os.Args[1:], cli.IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Terminal: terminal}))
}
