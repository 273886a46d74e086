package engine

import (
	"strings"
	"testing"
	"time"
)

// FuzzParseSuppressTag feeds arbitrary tag values to ParseSuppressTag: anyone who may tag a task definition or a
// repository writes them.
func FuzzParseSuppressTag(f *testing.F) {
	for _, s := range []string{
		"task.a", "task.a@log-router until=2026-12-31 task.b", "  task.a   task.b@web  ",
		"task.a task.zzz until=2026-12-31 task.b", "until=2026-12-31 task.a", "task.a until=2026-12-31 until=2027-01-31",
		"task.a until=2026-02-30", "task.a until=31/12/2026", "task.a@", "task.a@@b", "@web", "   ", "",
		strings.Repeat("x", 300), "task.a;task.b", "task.a\ttask.b\nuntil=2026-01-01", "task.a until=", "until=",
		"task.a@web until=+2026-01-01", "task.b@\u00e9 until=2026-12-31", "ecsaudit.invalid-suppression-tag",
	} {
		f.Add(s)
	}
	known := map[string]bool{"task.a": true, "task.b": true, InvalidSuppressionTag.ID: true}
	f.Fuzz(func(t *testing.T, v string) {
		ws, problems := ParseSuppressTag(v, known)
		fields := strings.Fields(v)
		if len(ws) > len(fields) {
			t.Fatalf("%d entries from %d fields", len(ws), len(fields))
		}
		for i, w := range ws {
			if !known[w.rule] {
				t.Fatalf("entry %d names unknown rule %q", i, w.rule)
			}
			if strings.ContainsAny(w.rule, "@ \t\n") || strings.ContainsAny(w.container, " \t\n") {
				t.Fatalf("entry %d was not split into one field: %+v", i, w)
			}
			if !w.until.IsZero() && w.until.Format(time.DateOnly) != w.until.UTC().Format(time.DateOnly) {
				t.Fatalf("entry %d: until %v is not a UTC date", i, w.until)
			}
		}
		for i, p := range problems {
			if p == "" {
				t.Fatalf("problem %d is empty", i)
			}
		}
		if len(problems) > 0 {
			return
		}
		// A tag without problems is applied in full: one entry per field that is not an expiry.
		n := 0
		for _, fd := range fields {
			if !strings.HasPrefix(fd, "until=") {
				n++
			}
		}
		if len(ws) != n {
			t.Fatalf("no problem reported, but %d entries from %d rule fields", len(ws), n)
		}
		if len(v) > maxTagValue || len(fields) == 0 {
			t.Fatalf("tag of %d characters and %d fields accepted without a problem", len(v), len(fields))
		}
	})
}
