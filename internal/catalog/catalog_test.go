package catalog

import (
	"bufio"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

var idPattern = regexp.MustCompile(`^(task|repo|registry|image|service|taskset|cluster|capacity-provider|host)\.[a-z0-9-]+$`)

// properNouns may start with a capital inside a sentence-case title; words with two capitals (KMS, AppArmor) may too.
// ("Exec", "Container Insights": the names of AWS features, ECS Exec and CloudWatch Container Insights.)
var properNouns = map[string]bool{"Linux": true, "Windows": true, "Docker": true, "Fargate": true, "Amazon": true,
	"Exec": true, "Container": true, "Insights": true}

func TestMetadata(t *testing.T) {
	metas := Default().Metas() // panics on a duplicate ID
	if len(metas) < 2 {
		t.Fatalf("the catalog has %d rules", len(metas))
	}
	levels := map[rule.Level]bool{rule.TaskLevel: true, rule.ContainerLevel: true, rule.RepositoryLevel: true, rule.RegistryLevel: true,
		rule.ImageLevel: true, rule.ServiceLevel: true, rule.TaskSetLevel: true, rule.ClusterLevel: true,
		rule.CapacityProviderLevel: true, rule.HostLevel: true}
	types := map[string]bool{rule.TypeTaskDefinition: true, rule.TypeRepository: true, rule.TypeImage: true, rule.TypeRegistry: true,
		rule.TypeService: true, rule.TypeCluster: true, rule.TypeContainerInstance: true}
	for _, m := range metas {
		t.Run(m.ID, func(t *testing.T) {
			engineRule := m.ID == engine.InvalidSuppressionTag.ID
			if !engineRule && !idPattern.MatchString(m.ID) {
				t.Errorf("ID does not match %s", idPattern)
			}
			checkTitle(t, m.Title)
			if strings.TrimSpace(m.Description) == "" {
				t.Error("no description")
			}
			if rem := strings.TrimSpace(m.Remediation); rem == "" || !strings.HasSuffix(rem, ".") {
				t.Errorf("remediation %q is empty or does not end with a period", m.Remediation)
			}
			if m.Severity.Rank() == 0 {
				t.Errorf("severity %q is not an ASFF label", m.Severity)
			}
			if m.SeverityAsFound && m.Severity != rule.High {
				t.Errorf("an \"as found\" rule defaults to HIGH, has %s", m.Severity)
			}
			if _, err := rule.ParseProfile(string(m.Profile)); err != nil || string(m.Profile) == "" {
				t.Errorf("profile %q is neither baseline nor restricted", m.Profile)
			}
			if m.Profile == rule.Restricted && (m.Severity.AtLeast(rule.High) || m.SeverityAsFound) {
				t.Errorf("restricted rule defaults to %s: HIGH and CRITICAL are reserved for baseline rules", m.Severity)
			}
			if !levels[m.Level] {
				t.Errorf("level %q", m.Level)
			}
			if !types[m.ResourceType] && !(engineRule && m.ResourceType == "any") {
				t.Errorf("resource type %q", m.ResourceType)
			}
			if !engineRule {
				if want := typeOf(m.ID); m.ResourceType != want {
					t.Errorf("resource type %q, want %q for its prefix", m.ResourceType, want)
				}
			}
			if len(m.References) == 0 {
				t.Error("no references")
			}
			for _, ref := range append(append([]string{}, m.References...), nonEmpty(m.RemediationURL)...) {
				u, err := url.Parse(ref)
				if err != nil || u.Scheme != "https" || u.Host == "" {
					t.Errorf("reference %q is not an https URL", ref)
				}
			}
			if !engineRule {
				checkFixtures(t, m)
			}
		})
	}
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

func typeOf(id string) string {
	switch {
	case strings.HasPrefix(id, "task."):
		return rule.TypeTaskDefinition
	case strings.HasPrefix(id, "repo."):
		return rule.TypeRepository
	case strings.HasPrefix(id, "image."):
		return rule.TypeImage
	case strings.HasPrefix(id, "service."):
		return rule.TypeService
	case strings.HasPrefix(id, "cluster."):
		return rule.TypeCluster
	case strings.HasPrefix(id, "host."):
		return rule.TypeContainerInstance
	}
	return rule.TypeRegistry
}

func checkTitle(t *testing.T, title string) {
	t.Helper()
	if strings.TrimSpace(title) == "" {
		t.Error("no title")
		return
	}
	if strings.HasSuffix(title, ".") {
		t.Errorf("title %q ends with a period", title)
	}
	words := strings.Fields(title)
	if first := []rune(words[0]); !unicode.IsUpper(first[0]) {
		t.Errorf("title %q does not start with a capital", title)
	}
	for _, w := range words[1:] {
		w = strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		r := []rune(w)
		if len(r) == 0 || !unicode.IsUpper(r[0]) || properNouns[w] {
			continue
		}
		capitals := 0
		for _, c := range r {
			if unicode.IsUpper(c) {
				capitals++
			}
		}
		if capitals < 2 {
			t.Errorf("title %q is not in sentence case (%q)", title, w)
		}
	}
}

// checkFixtures requires the fail_ and pass_ fixtures that the rule packages' fixture tests run.
func checkFixtures(t *testing.T, m *rule.Meta) {
	t.Helper()
	pkg := "ecr"
	if m.ResourceType == rule.TypeTaskDefinition {
		pkg = "taskdef"
	}
	for _, p := range []string{"image", "ecs"} { // the image-contents rules; the ECS estate's rules
		if _, err := os.Stat(filepath.Join("..", "rules", p, "testdata", m.ID)); err == nil {
			pkg = p
		}
	}
	dir := filepath.Join("..", "rules", pkg, "testdata", m.ID)
	for _, prefix := range []string{"fail_", "pass_"} {
		files, err := filepath.Glob(filepath.Join(dir, prefix+"*.json"))
		if err != nil || len(files) == 0 {
			t.Errorf("no %s*.json fixture in %s", prefix, dir)
		}
	}
}

// specRule is one row of a rule table in the specification.
type specRule struct {
	id, level, severity, anchor string
}

// readSpec parses the rule tables of /work/shared/spec/rules.md: rows whose first cell is a backticked ID.
func readSpec(t *testing.T) []specRule {
	t.Helper()
	path := filepath.Join("..", "..", "testdata", "spec", "rules.md")
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("the rule specification must sit beside the repository: %v", err)
	}
	defer f.Close()
	var out []specRule
	var header []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "|") {
			header = nil
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if cells[0] == "ID" {
			header = cells
			continue
		}
		if !strings.HasPrefix(cells[0], "`") || header == nil || len(cells) != len(header) {
			continue
		}
		r := specRule{id: strings.Trim(cells[0], "`")}
		for i, h := range header {
			switch h {
			case "level":
				r.level = cells[i]
			case "severity":
				r.severity = cells[i]
			case "anchor":
				r.anchor = cells[i]
			}
		}
		out = append(out, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no rule rows found", path)
	}
	return out
}

func TestSpecRulesExist(t *testing.T) {
	cat := Default()
	kinds := map[string]int{}
	for _, s := range readSpec(t) {
		kinds[strings.SplitN(s.id, ".", 2)[0]]++
		if cat.Lookup(s.id) == nil {
			t.Errorf("rule %s of rules.md is not in the catalog", s.id)
		}
	}
	for _, k := range []string{"task", "repo", "registry", "image"} {
		if kinds[k] == 0 {
			t.Errorf("rules.md parsed without any %s rule: the table format changed", k)
		}
	}
}

// specControl returns the Security Hub control of an anchor cell ("SH ECS.4, Config ..."). "retired SH ECS.1" names a
// control Security Hub no longer runs, so it yields none.
func specControl(anchor string) string {
	for _, part := range strings.Split(anchor, ",") {
		if id, ok := strings.CutPrefix(strings.TrimSpace(part), "SH "); ok {
			return strings.Fields(id)[0]
		}
	}
	return ""
}

// TestSpecMetadata checks each implemented rule against its row: default severity, level and Security Hub control.
func TestSpecMetadata(t *testing.T) {
	cat := Default()
	for _, s := range readSpec(t) {
		m := cat.Lookup(s.id)
		if m == nil {
			continue // reported by TestSpecRulesExist
		}
		if s.severity == "as found" {
			if !m.SeverityAsFound {
				t.Errorf("%s: rules.md says severity \"as found\"", s.id)
			}
		} else if string(m.Severity) != s.severity || m.SeverityAsFound {
			t.Errorf("%s: severity %s (as found %v), rules.md says %s", s.id, m.Severity, m.SeverityAsFound, s.severity)
		}
		if s.level != "" && string(m.Level) != s.level {
			t.Errorf("%s: level %s, rules.md says %s", s.id, m.Level, s.level)
		}
		if want := specControl(s.anchor); m.SecurityControlID != want {
			t.Errorf("%s: SecurityControlID %q, rules.md anchor %q", s.id, m.SecurityControlID, s.anchor)
		}
	}
}
