// Package version holds the auditor's version, which the CLI prints and reports, the functions send with each
// finding, and the sweep records with each audit.
package version

import (
	"regexp"
	"runtime/debug"
	"strings"
)

// Version is the auditor version, set at build time with
// -ldflags "-X github.com/ecsaudit/ecsaudit/internal/version.Version=v1.2.3". Empty means unset.
var Version string

// pseudo matches the end of a Go pseudo-version (a build from a commit, not from a release).
var pseudo = regexp.MustCompile(`\d{14}-[0-9a-f]{12}$`)

// String returns Version; when it is unset, the module version the binary was built at if that is a release (as
// with go install github.com/ecsaudit/ecsaudit/cmd/ecsaudit@v1.2.3), and otherwise "dev".
func String() string {
	if Version != "" {
		return Version
	}
	if info, ok := debug.ReadBuildInfo(); ok && release(info.Main.Version) {
		return info.Main.Version
	}
	return "dev"
}

// release reports whether a module version names a release: not a local build ("(devel)", "+dirty") nor a
// pseudo-version.
func release(v string) bool {
	return strings.HasPrefix(v, "v") && !strings.Contains(v, "+") && !pseudo.MatchString(v)
}
