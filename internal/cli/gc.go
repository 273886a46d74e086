package cli

import "runtime/debug"

// A scan allocates about 20 KB per task definition, nearly all of it garbage within microseconds, while the AWS
// SDK's service schemas (about 1.5 MB, built at start-up) stay live. Under Go's default GOGC=100 a collection then
// runs every 2 to 3 MB allocated and marks those schemas each time: half of a scan's instructions went to the
// collector (docs/performance.md). A scan therefore lets the heap grow to five times its live data instead of
// twice, with a soft limit on the whole so that a scan of very many files stays within a gigabyte or so (past it
// the collector runs as often as it must).
const (
	scanGCPercent   = 400
	scanMemoryLimit = 1 << 30
)

// tuneGC sets the collector for a scan, unless the GOGC environment variable chose a setting (then nothing
// changes) or GOMEMLIMIT chose a limit (then it stays). It returns what restores the previous settings.
func tuneGC(getenv func(string) string) (restore func()) {
	if getenv("GOGC") != "" {
		return func() {}
	}
	percent := debug.SetGCPercent(scanGCPercent)
	if getenv("GOMEMLIMIT") != "" {
		return func() { debug.SetGCPercent(percent) }
	}
	limit := debug.SetMemoryLimit(scanMemoryLimit)
	return func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
}
