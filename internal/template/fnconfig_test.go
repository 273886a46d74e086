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
	env := map[string]string{}
	for name := range vars {
		env[name] = ""
	}
	for name, v := range vars {
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
