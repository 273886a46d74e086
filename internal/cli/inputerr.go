package cli

import (
	"fmt"
	"io"

	"github.com/ecsaudit/ecsaudit/internal/report"
)

// inputErrors are the inputs a scan could not read (in whole or in part): each is printed as it happens and kept
// for the report, so a SARIF log says the run was incomplete and names them.
type inputErrors struct {
	stderr io.Writer
	list   []report.InputError
}

// add reports that the input at path could not be read; msg names the path and what was wrong.
func (e *inputErrors) add(path, msg string) {
	fmt.Fprintf(e.stderr, "ecsaudit: %s\n", msg)
	e.list = append(e.list, report.InputError{Path: path, Message: msg})
}
