package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/ecsaudit/ecsaudit/internal/config"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseSuppressTag(t *testing.T) {
	known := map[string]bool{"task.a": true, "task.b": true}
	type entry struct{ rule, container, until string }
	tests := []struct {
		name     string
		value    string
		want     []entry
		problems []string // substrings, one per expected problem, in order
	}{
		{"one rule", "task.a", []entry{{"task.a", "", ""}}, nil},
		{"rule at container with expiry, then another rule", "task.a@log-router until=2026-12-31 task.b",
			[]entry{{"task.a", "log-router", "2026-12-31"}, {"task.b", "", ""}}, nil},
		{"extra spaces", "  task.a   task.b@web  ", []entry{{"task.a", "", ""}, {"task.b", "web", ""}}, nil},
		{"unknown rule among valid ones", "task.a task.zzz until=2026-12-31 task.b",
			[]entry{{"task.a", "", ""}, {"task.b", "", ""}}, []string{`"task.zzz" is not a rule ID`}},
		{"until without an entry", "until=2026-12-31 task.a", []entry{{"task.a", "", ""}}, []string{"does not follow a rule entry"}},
		{"two untils", "task.a until=2026-12-31 until=2027-01-31", []entry{{"task.a", "", "2026-12-31"}}, []string{`"until=2027-01-31" does not follow`}},
		{"bad date", "task.a until=2026-02-30", nil, []string{"want until=YYYY-MM-DD"}},
		{"date in another format", "task.a until=31/12/2026", nil, []string{"want until=YYYY-MM-DD"}},
		{"empty container", "task.a@", nil, []string{"empty container name"}},
		{"empty tag", "   ", nil, []string{"the tag is empty"}},
		{"too long", strings.Repeat("x", 300), nil, []string{"300 characters, more than the 256", "is not a rule ID"}},
		{"disallowed character", "task.a;task.b", nil, []string{`character ';' is not allowed`, "is not a rule ID"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws, problems := ParseSuppressTag(tt.value, known)
			var got []entry
			for _, w := range ws {
				e := entry{w.rule, w.container, ""}
				if !w.until.IsZero() {
					e.until = w.until.Format(time.DateOnly)
				}
				got = append(got, e)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("entries %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("entry %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
			if len(problems) != len(tt.problems) {
				t.Fatalf("problems %q, want %d like %q", problems, len(tt.problems), tt.problems)
			}
			for i, p := range tt.problems {
				if !strings.Contains(problems[i], p) {
					t.Errorf("problem %d = %q, want it to contain %q", i, problems[i], p)
				}
			}
		})
	}
}

func withTags(t *model.TaskDefinition, tags map[string]string) *model.TaskDefinition {
	t.Tags = tags
	return t
}

func TestTagSuppression(t *testing.T) {
	e := New(testCatalog(), nil)
	t.Run("applies to the named container only", func(t *testing.T) {
		td := withTags(task(webARN, "web", 3, "bad-a", "bad-b"), map[string]string{SuppressTag: "task.test-container@bad-a"})
		fs := e.EvaluateOne(td, now)
		a, b := find(fs, "task.test-container", "bad-a"), find(fs, "task.test-container", "bad-b")
		if a.Status != rule.Suppressed || a.Suppression == nil || !strings.Contains(a.Suppression.By, SuppressTag) || a.Suppression.Reason == "" {
			t.Errorf("bad-a: %+v %+v", a, a.Suppression)
		}
		if b.Status != rule.Failed || b.Suppression != nil {
			t.Errorf("bad-b: %+v", b)
		}
		if find(fs, InvalidSuppressionTag.ID, "") != nil {
			t.Error("a valid tag was reported as malformed")
		}
	})
	t.Run("passing results are left alone", func(t *testing.T) {
		td := withTags(task(webARN, "web", 3, "good"), map[string]string{SuppressTag: "task.test-container"})
		if f := find(e.EvaluateOne(td, now), "task.test-container", "good"); f.Status != rule.Passed || f.Suppression != nil {
			t.Errorf("%+v", f)
		}
	})
	t.Run("malformed entries are reported, valid ones still apply", func(t *testing.T) {
		td := withTags(task(webARN, "web", 3, "bad-a"), map[string]string{SuppressTag: "task.nope task.test-graded"})
		fs := e.EvaluateOne(td, now)
		inv := find(fs, InvalidSuppressionTag.ID, "")
		if inv == nil || inv.Status != rule.Failed || inv.Severity != rule.Low || !strings.Contains(inv.Detail, `"task.nope"`) {
			t.Fatalf("invalid-tag finding %+v", inv)
		}
		if inv.ID() != FindingID(InvalidSuppressionTag.ID, webARN, "") || inv.Subject.ID != webARN {
			t.Errorf("invalid-tag finding identity %s on %s", inv.ID(), inv.Subject.ID)
		}
		if g := find(fs, "task.test-graded", ""); g.Status != rule.Suppressed {
			t.Errorf("the valid entry was not applied: %+v", g)
		}
		if c := find(fs, "task.test-container", "bad-a"); c.Status != rule.Failed {
			t.Errorf("%+v", c)
		}
	})
	t.Run("the engine's rule takes a severity override", func(t *testing.T) {
		cfg := config.Default()
		cfg.Rules[InvalidSuppressionTag.ID] = config.RuleOverride{Severity: rule.High}
		td := withTags(task(webARN, "web", 3, "a"), map[string]string{SuppressTag: "nonsense"})
		if inv := find(New(testCatalog(), cfg).EvaluateOne(td, now), InvalidSuppressionTag.ID, ""); inv == nil || inv.Severity != rule.High {
			t.Errorf("%+v", inv)
		}
	})
}

func TestConfigSuppression(t *testing.T) {
	tests := []struct {
		name string
		sup  config.Suppression
		td   *model.TaskDefinition
		want map[string]rule.Status // container -> status of task.test-container
	}{
		{"ARN glob", config.Suppression{Resource: "arn:aws:ecs:*:111122223333:task-definition/web:*", Rule: "task.test-container", Reason: "r"},
			task(webARN, "web", 3, "bad-a", "bad-b"), map[string]rule.Status{"bad-a": rule.Suppressed, "bad-b": rule.Suppressed}},
		{"ARN glob of another family", config.Suppression{Resource: "arn:aws:ecs:*:111122223333:task-definition/api:*", Rule: "task.test-container", Reason: "r"},
			task(webARN, "web", 3, "bad-a"), map[string]rule.Status{"bad-a": rule.Failed}},
		{"ARN glob of another account", config.Suppression{Resource: "arn:aws:ecs:*:999999999999:*", Rule: "task.test-container", Reason: "r"},
			task(webARN, "web", 3, "bad-a"), map[string]rule.Status{"bad-a": rule.Failed}},
		{"one container", config.Suppression{Resource: webARN, Rule: "task.test-container", Container: "bad-b", Reason: "r"},
			task(webARN, "web", 3, "bad-a", "bad-b"), map[string]rule.Status{"bad-a": rule.Failed, "bad-b": rule.Suppressed}},
		{"family:revision when there is no ARN", config.Suppression{Resource: "web:*", Rule: "task.test-container", Reason: "r"},
			task("", "web", 7, "bad-a"), map[string]rule.Status{"bad-a": rule.Suppressed}},
		{"another rule", config.Suppression{Resource: "*", Rule: "task.test-graded", Reason: "r"},
			task(webARN, "web", 3, "bad-a"), map[string]rule.Status{"bad-a": rule.Failed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.Source = "ecsaudit.json"
			cfg.Suppressions = []config.Suppression{tt.sup}
			fs := New(testCatalog(), cfg).EvaluateOne(tt.td, now)
			for c, want := range tt.want {
				f := find(fs, "task.test-container", c)
				if f == nil || f.Status != want {
					t.Fatalf("%s: %+v, want %s", c, f, want)
				}
				if want == rule.Suppressed && (f.Suppression.Reason != "r" || f.Suppression.By != "configuration ecsaudit.json suppressions[0]") {
					t.Errorf("%s: suppression %+v", c, f.Suppression)
				}
			}
		})
	}
}

func TestSuppressionExpiryAndMaximum(t *testing.T) {
	tests := []struct {
		name    string
		until   string
		maxDays int
		now     time.Time
		status  rule.Status
		detail  string // in the finding's detail when the suppression was not applied
		expired bool
		ignored bool
	}{
		{"no expiry, no maximum", "", 0, now, rule.Suppressed, "", false, false},
		{"before the last day", "2026-12-31", 0, now, rule.Suppressed, "", false, false},
		{"on the last day", "2026-12-31", 0, time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC), rule.Suppressed, "", false, false},
		{"the day after", "2026-12-31", 0, time.Date(2027, 1, 1, 0, 0, 1, 0, time.UTC), rule.Failed, "expired on 2026-12-31", true, false},
		{"under the maximum", "2026-12-01", 30, now, rule.Suppressed, "", false, false},
		{"no expiry under a maximum", "", 30, now, rule.Failed, "no until= date, and suppressions may last at most 30 days", false, true},
		{"beyond the maximum", "2027-06-30", 30, now, rule.Failed, "until=2027-06-30 is more than 30 days ahead", false, true},
	}
	for _, tt := range tests {
		for _, via := range []string{"config", "tag"} {
			t.Run(tt.name+" via "+via, func(t *testing.T) {
				cfg := config.Default()
				cfg.MaxSuppression = time.Duration(tt.maxDays) * 24 * time.Hour
				td := task(webARN, "web", 3, "bad")
				if via == "config" {
					s := config.Suppression{Resource: webARN, Rule: "task.test-container", Reason: "r"}
					if tt.until != "" {
						s.Until = date(tt.until)
					}
					cfg.Suppressions = []config.Suppression{s}
				} else {
					v := "task.test-container"
					if tt.until != "" {
						v += " until=" + tt.until
					}
					td.Tags = map[string]string{SuppressTag: v}
				}
				f := find(New(testCatalog(), cfg).EvaluateOne(td, tt.now), "task.test-container", "bad")
				if f.Status != tt.status {
					t.Fatalf("status %s, want %s (%+v)", f.Status, tt.status, f)
				}
				if f.Suppression == nil {
					t.Fatal("no suppression recorded")
				}
				if f.Suppression.Expired != tt.expired || (f.Suppression.Ignored != "") != tt.ignored {
					t.Errorf("suppression %+v", f.Suppression)
				}
				if tt.detail != "" && !strings.Contains(f.Detail, tt.detail) {
					t.Errorf("detail %q lacks %q", f.Detail, tt.detail)
				}
				if tt.detail == "" && f.Detail != "container bad is bad" {
					t.Errorf("an applied suppression changed the detail: %q", f.Detail)
				}
			})
		}
	}
}
