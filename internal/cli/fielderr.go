package cli

import (
	"fmt"
	"strings"

	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/load"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// unjudged makes NOT_AVAILABLE what a refused field of a task definition (load.FieldError) may have decided: the
// task was read without that value, so a PASSED result in its reach, or a FAILED result about the field itself or
// a field below it, rests on a value the file does not hold. A refused field of the task reaches every result; one
// under a container reaches that container's results and the task-level ones. Every other finding stands.
func unjudged(fs []engine.Finding, set *load.Set) {
	for i := range fs {
		f := &fs[i]
		t, ok := f.Subject.Resource.(*model.TaskDefinition)
		if !ok {
			continue
		}
		for _, bad := range set.FieldErrors(t) {
			if !reaches(bad.Path, f) {
				continue
			}
			f.Status = rule.NotAvailable
			f.Detail = fmt.Sprintf("not judged: %s (line %d, column %d) holds a value the API refuses; read without "+
				"it, the rule found: %s", bad.Path, bad.Line, bad.Column, f.Detail)
			break
		}
	}
}

// reaches reports whether a refused field at bad may have decided finding f.
func reaches(bad string, f *engine.Finding) bool {
	switch f.Status {
	case rule.Failed:
		p, b := strings.ToLower(f.Path), strings.ToLower(bad)
		return p == b || strings.HasPrefix(p, b+"/")
	case rule.Passed:
		b, r := containerOf(bad), containerOf(f.Path)
		return b == "" || r == "" || b == r
	}
	return false
}

// containerOf returns the container index N of a path "containerDefinitions/N/..." inside a task definition, "" for a
// task-level path.
func containerOf(path string) string {
	parts := strings.SplitN(path, "/", 3)
	if len(parts) < 2 || !strings.EqualFold(parts[0], "containerDefinitions") {
		return ""
	}
	return parts[1]
}
