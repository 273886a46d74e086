package rule

import (
	"fmt"
	"strings"
)

// Untagged judges a resource's tags the way Security Hub's ECS.13-15 do: with required keys configured, every one
// must be present (keys are case-sensitive); with none, the resource must carry at least one tag whose key does not
// start with "aws:" (tags AWS itself adds do not count; nor does an empty key, which AWS refuses, as a template
// skeleton may hold). path locates the tags in a FAILED result.
func Untagged(tags map[string]string, required []string, path string) Result {
	if len(required) > 0 {
		var missing []string
		for _, k := range required {
			if _, ok := tags[k]; !ok {
				missing = append(missing, k)
			}
		}
		if len(missing) > 0 {
			return Result{Status: Failed, Detail: "missing required tag keys: " + strings.Join(missing, ", "), Path: path}
		}
		return Result{Status: Passed, Detail: "carries every required tag key (" + strings.Join(required, ", ") + ")"}
	}
	n := 0
	for k := range tags {
		if k != "" && !strings.HasPrefix(k, "aws:") {
			n++
		}
	}
	switch {
	case n > 0:
		return Result{Status: Passed, Detail: fmt.Sprintf("carries %d tags of its own (no required tag keys are configured)", n)}
	case len(tags) > 0:
		return Result{Status: Failed, Path: path,
			Detail: fmt.Sprintf("carries only tags AWS added (%d, keys starting with \"aws:\") and none of its own", len(tags))}
	}
	return Result{Status: Failed, Detail: "carries no tags", Path: path}
}
