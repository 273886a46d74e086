package iamcheck

import (
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/testenv/template"
)

// TestMemberRoleGrantsWhatTheSweepCalls checks infra/member-role.yaml both ways, as the functions' policies are
// checked: every action a sweep calls in a member account is granted, every grant is such a call, and each is one the
// Sweeper calls.
func TestMemberRoleGrantsWhatTheSweepCalls(t *testing.T) {
	table, _ := load(t)
	m := table.MemberRole
	if len(m.Calls) == 0 || m.Template == "" || m.Role == "" {
		t.Fatalf("actions.json has no memberRole entry: %+v", m)
	}
	tpl, err := template.Load(filepath.Join(root(), m.Template))
	if err != nil {
		t.Fatal(err)
	}
	stmts, err := IdentityPolicies(tpl)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range m.Calls {
		if !Allows(stmts, a) {
			t.Errorf("a sweep calls %s in member accounts, which %s does not grant", a, m.Template)
		}
		if !slices.Contains(table.Functions["Sweeper"].Calls, a) {
			t.Errorf("memberRole lists %s, which the Sweeper does not call", a)
		}
	}
	for _, s := range stmts {
		if s.Effect != "Allow" || s.NotAction || s.NotResource {
			t.Errorf("%s %s: only plain Allow statements are expected", s.Policy, s.Sid)
		}
		for _, a := range s.Actions {
			if !slices.Contains(m.Calls, a) {
				t.Errorf("%s %s grants %s, which a sweep does not call", s.Policy, s.Sid, a)
			}
			if ChangesAudited(a) {
				t.Errorf("%s %s grants %s, which changes what the auditor audits", s.Policy, s.Sid, a)
			}
		}
	}
}

// TestMemberRoleTrust checks that the member role trusts the sweeper's role ARN exactly, never by pattern, and
// only with an external ID or the organization ID, whichever parameters are set (the template's Rules refuse
// neither).
func TestMemberRoleTrust(t *testing.T) {
	table, _ := load(t)
	tpl, err := template.Load(filepath.Join(root(), table.MemberRole.Template))
	if err != nil {
		t.Fatal(err)
	}
	role, ok := tpl.Resources[table.MemberRole.Role]
	if !ok {
		t.Fatalf("no role %s", table.MemberRole.Role)
	}
	if _, ok := tpl.Parameters["SweeperRolePattern"]; ok {
		t.Error("the member role still takes a role name pattern")
	}
	for _, c := range []map[string]bool{
		{"HasExternalId": true, "HasOrganizationId": false},
		{"HasExternalId": false, "HasOrganizationId": true},
		{"HasExternalId": true, "HasOrganizationId": true},
	} {
		doc, _ := template.Resolve(role.Properties["AssumeRolePolicyDocument"], c, nil).(map[string]any)
		stmts, _ := doc["Statement"].([]any)
		if len(stmts) != 1 {
			t.Fatalf("%v: trust policy %v, want one statement", c, doc)
		}
		st, _ := stmts[0].(map[string]any)
		principal, _ := st["Principal"].(map[string]any)
		if !reflect.DeepEqual(principal, map[string]any{"AWS": map[string]any{"Ref": "SweeperRoleArn"}}) {
			t.Errorf("%v: principal %v, want exactly !Ref SweeperRoleArn", c, principal)
		}
		if st["Action"] != "sts:AssumeRole" || st["Effect"] != "Allow" {
			t.Errorf("%v: %v %v", c, st["Effect"], st["Action"])
		}
		cond, _ := st["Condition"].(map[string]any)
		if len(cond) != 1 {
			t.Errorf("%v: conditions %v, want StringEquals only (no ArnLike pattern)", c, cond)
		}
		eq, _ := cond["StringEquals"].(map[string]any)
		if c["HasExternalId"] && !reflect.DeepEqual(eq["sts:ExternalId"], map[string]any{"Ref": "ExternalId"}) {
			t.Errorf("%v: the external ID is not required: %v", c, eq)
		}
		if c["HasOrganizationId"] && !reflect.DeepEqual(eq["aws:PrincipalOrgID"], map[string]any{"Ref": "OrganizationId"}) {
			t.Errorf("%v: the organization is not required: %v", c, eq)
		}
	}
}
