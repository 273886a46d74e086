package template

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/catalog"
	"github.com/ecsaudit/ecsaudit/internal/fnconfig"
)

// TestDefaultsStartTheFunctions deploys nothing but checks the one thing a deployment would find out first: the
// environment the template gives the functions, with every parameter at its default, is a configuration the
// functions accept.
func TestDefaultsStartTheFunctions(t *testing.T) {
	tpl := load(t)
	vars := mapping(mapping(mapping(tpl.Globals["Function"])["Environment"])["Variables"])
	// The sweeper adds its own variables to the global ones.
	sweeperVars := mapping(mapping(tpl.Resources["Sweeper"].Properties["Environment"])["Variables"])
	want := []string{"IMAGE_CONTENTS", "MEMBER_ACCOUNTS", "MEMBER_EXTERNAL_ID", "MEMBER_ROLE_NAME", "SWEEP_MAX_AGE_DAYS", "SWEEP_PACE_SHARE"}
	if got := sortedKeys(sweeperVars); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Sweeper environment %v, want %v", got, want)
	}
	for k, v := range sweeperVars {
		vars[k] = v
	}
	env := map[string]string{}
	for name := range vars {
		env[name] = ""
	}
	for name, v := range vars {
		if lit, ok := v.(string); ok {
			env[name] = lit
			continue
		}
		ref := refName(v)
		if ref == "" {
			continue
		}
		if p, ok := tpl.Parameters[ref]; ok {
			env[name] = strings.TrimSpace(toString(mapping(p)["Default"]))
		}
	}
	env["STATE_TABLE"] = "ecsaudit-state"
	env["TOPIC_ARN"] = "arn:aws:sns:us-east-1:111122223333:ecsaudit"
	cat := catalog.Default()
	if _, err := fnconfig.FromEnv(func(k string) string { return env[k] }, func(id string) bool { return cat.Lookup(id) != nil }); err != nil {
		t.Fatalf("the template's defaults do not start the functions: %v (environment %v)", err, env)
	}
	sc, err := fnconfig.SweepFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("the template's defaults do not start the sweeper: %v (environment %v)", err, env)
	}
	if sc.MemberRole != "ecsaudit-member" || sc.MaxAge.Hours() != 7*24 || sc.PaceShare != 0.5 || len(sc.MemberAccounts) != 0 {
		t.Errorf("sweeper defaults from the template: %+v", sc)
	}
	// Every function reads image contents: the auditors on push and per revision, the sweeper what no event read.
	for _, fn := range []string{"TaskDefinitionAuditor", "EcrAuditor", "Sweeper"} {
		own := mapping(mapping(tpl.Resources[fn].Properties["Environment"])["Variables"])
		c, err := fnconfig.ContentsFromEnv(func(k string) string { s, _ := own[k].(string); return s })
		if err != nil || !c.On || c.MaxBytes != fnconfig.DefaultImageMaxBytes {
			t.Errorf("%s: image contents from the template: %+v, %v; want on, with the default budget", fn, c, err)
		}
	}
}

func refName(v any) string {
	s, _ := mapping(v)["Ref"].(string)
	return s
}

func toString(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}
