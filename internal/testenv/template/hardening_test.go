package template

import (
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/lambdafn"
)

var topic = []any{map[string]any{"Ref": "NotificationTopic"}}

// TestPatternsMatchOwnAccount checks that every event pattern names this account's ID in account, unless
// OrganizationForwarding is on (pattern_test.go routes the resolved patterns through the emulator's EventBridge).
func TestPatternsMatchOwnAccount(t *testing.T) {
	routes, err := load(t).Routes()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range routes {
		if r.Pattern == nil {
			continue
		}
		own := Resolve(r.Pattern, map[string]bool{"ForwardsOrganizationEvents": false}, nil).(map[string]any)
		if !reflect.DeepEqual(own["account"], []any{map[string]any{"Ref": "AWS::AccountId"}}) {
			t.Errorf("%s/%s: account %v, want [!Ref AWS::AccountId]", r.Function, r.Name, own["account"])
		}
		org := Resolve(r.Pattern, map[string]bool{"ForwardsOrganizationEvents": true}, nil).(map[string]any)
		if !reflect.DeepEqual(org["account"], []any{map[string]any{"exists": true}}) {
			t.Errorf("%s/%s: with forwarding, account %v, want any", r.Function, r.Name, org["account"])
		}
	}
}

// TestKeysAndEncryption checks the key policy's CloudWatch statement is limited to this account and that the log
// groups and the state table take the customer managed key DataKeyArn names.
func TestKeysAndEncryption(t *testing.T) {
	tpl := load(t)
	for _, s := range mapping(tpl.Resources["NotificationKey"].Properties["KeyPolicy"])["Statement"].([]any) {
		st := mapping(s)
		if !slices.Contains(strs(mapping(st["Principal"])["Service"]), "cloudwatch.amazonaws.com") {
			continue
		}
		cond := mapping(mapping(st["Condition"])["StringEquals"])
		if !reflect.DeepEqual(cond["aws:SourceAccount"], map[string]any{"Ref": "AWS::AccountId"}) {
			t.Errorf("the key policy lets CloudWatch of any account use the key: %v", st["Condition"])
		}
	}
	for _, id := range tpl.OfType("AWS::Logs::LogGroup") {
		p := Resolve(tpl.Resources[id].Properties, map[string]bool{"HasDataKey": true}, nil).(map[string]any)
		if !reflect.DeepEqual(p["KmsKeyId"], map[string]any{"Ref": "DataKeyArn"}) {
			t.Errorf("%s: KmsKeyId %v, want DataKeyArn when set", id, p["KmsKeyId"])
		}
		if p := Resolve(tpl.Resources[id].Properties, map[string]bool{"HasDataKey": false}, nil).(map[string]any); p["KmsKeyId"] != nil {
			t.Errorf("%s: KmsKeyId %v without DataKeyArn", id, p["KmsKeyId"])
		}
	}
	sse := mapping(Resolve(tpl.Resources["StateTable"].Properties, map[string]bool{"HasDataKey": true}, nil).(map[string]any)["SSESpecification"])
	if sse["SSEType"] != "KMS" || !reflect.DeepEqual(sse["KMSMasterKeyId"], map[string]any{"Ref": "DataKeyArn"}) {
		t.Errorf("StateTable SSESpecification with DataKeyArn: %v", sse)
	}
}

// statement returns the statement with sid of a policy, resolved under conds, or nil.
func statement(tpl *Template, policy, sid string, conds map[string]bool) map[string]any {
	doc := mapping(Resolve(tpl.Resources[policy].Properties["PolicyDocument"], conds, nil))
	for _, s := range asList(doc["Statement"]) {
		if mapping(s)["Sid"] == sid {
			return mapping(s)
		}
	}
	return nil
}

// TestScopedGrants checks the grants that depend on parameters: sts:AssumeRole only in the member accounts and only
// when there are some, and ssm:GetParameter on exactly the configuration parameter and only when one is named.
func TestScopedGrants(t *testing.T) {
	tpl := load(t)
	st := statement(tpl, "SweeperPolicy", "MemberAccounts", map[string]bool{"HasMemberAccounts": true})
	cond := mapping(mapping(st["Condition"])["StringEquals"])
	if !reflect.DeepEqual(strs(st["Action"]), []string{"sts:AssumeRole"}) ||
		!reflect.DeepEqual(cond["aws:ResourceAccount"], map[string]any{"Ref": "MemberAccounts"}) ||
		!strings.HasSuffix(strs(st["Resource"])[0], ":role/${MemberRoleName}") {
		t.Errorf("SweeperPolicy MemberAccounts: %v, want sts:AssumeRole on MemberRoleName in MemberAccounts only", st)
	}
	if st := statement(tpl, "SweeperPolicy", "MemberAccounts", map[string]bool{"HasMemberAccounts": false}); st != nil {
		t.Errorf("sts:AssumeRole granted without member accounts: %v", st)
	}
	for fn := range functions {
		policy := fn + "Policy"
		st := statement(tpl, policy, "AuditConfig", map[string]bool{"HasAuditConfigParameter": true})
		want := "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${AuditConfigParameter}"
		if !reflect.DeepEqual(strs(st["Action"]), []string{"ssm:GetParameter"}) || !reflect.DeepEqual(strs(st["Resource"]), []string{want}) {
			t.Errorf("%s AuditConfig: %v, want ssm:GetParameter on %s", policy, st, want)
		}
		if st := statement(tpl, policy, "AuditConfig", map[string]bool{"HasAuditConfigParameter": false}); st != nil {
			t.Errorf("%s: ssm:GetParameter granted without a parameter", policy)
		}
	}
}

// TestOperatorAlarms checks an alarm on each function's errors, throttles and duration near its timeout, and on
// skipped sweeps; every alarm notifies the topic when it fires and when it clears.
func TestOperatorAlarms(t *testing.T) {
	tpl := load(t)
	type key struct{ fn, metric string }
	seen := map[key]bool{}
	for _, id := range tpl.OfType("AWS::CloudWatch::Alarm") {
		p := tpl.Resources[id].Properties
		if !reflect.DeepEqual(p["AlarmActions"], topic) || !reflect.DeepEqual(p["OKActions"], topic) {
			t.Errorf("%s: AlarmActions %v, OKActions %v, want the topic in both", id, p["AlarmActions"], p["OKActions"])
		}
		for _, d := range asList(p["Dimensions"]) {
			dm := mapping(d)
			switch {
			case p["Namespace"] == "AWS/Lambda" && dm["Name"] == "FunctionName":
				fn := logicalID(dm["Value"])
				seen[key{fn, p["MetricName"].(string)}] = true
				if p["MetricName"] == "Duration" {
					timeout := mapping(tpl.Resources[fn].Properties)["Timeout"].(int64)
					if th, _ := p["Threshold"].(int64); th <= 0 || th >= timeout*1000 {
						t.Errorf("%s: Duration threshold %v ms, want below the %d s timeout", id, p["Threshold"], timeout)
					}
				}
			case p["Namespace"] == "ecsaudit" && dm["Name"] == "Function":
				seen[key{dm["Value"].(string), p["MetricName"].(string)}] = true
			}
		}
	}
	var missing []string
	for fn := range functions {
		for _, m := range []string{"Errors", "Throttles", "Duration"} {
			if !seen[key{fn, m}] {
				missing = append(missing, fn+" "+m)
			}
		}
	}
	if !seen[key{"Sweeper", lambdafn.SweepsSkipped}] {
		missing = append(missing, "Sweeper "+lambdafn.SweepsSkipped)
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("no alarm on %v", missing)
	}
}

// TestParameterGroups checks that sam deploy --guided and the console ask for every parameter once, in groups.
func TestParameterGroups(t *testing.T) {
	tpl := load(t)
	groups := asList(mapping(mapping(tpl.Metadata["AWS::CloudFormation::Interface"]))["ParameterGroups"])
	var listed []string
	for _, g := range groups {
		listed = append(listed, strs(mapping(g)["Parameters"])...)
	}
	sort.Strings(listed)
	if !reflect.DeepEqual(listed, sortedKeys(tpl.Parameters)) {
		t.Errorf("parameter groups list %v, want each of %v once", listed, sortedKeys(tpl.Parameters))
	}
}
