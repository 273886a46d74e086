package template

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

// functions maps each function's logical ID to its main package, built by the Makefile's build-<ID> target.
var functions = map[string]string{
	"TaskDefinitionAuditor": "./functions/taskdef-auditor",
	"EcrAuditor":            "./functions/ecr-auditor",
	"Sweeper":               "./functions/sweeper",
	"CfnHook":               "./functions/cfn-hook",
}

// auditors are the functions that audit what exists and publish findings; the CloudFormation hook only answers.
var auditors = []string{"EcrAuditor", "Sweeper", "TaskDefinitionAuditor"}

func load(t *testing.T) *Template {
	t.Helper()
	tpl, err := Load(templatePath)
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

func TestParseShortTags(t *testing.T) {
	tpl, err := Parse([]byte(`
Resources:
  A:
    Type: AWS::SQS::Queue
    Properties:
      Name: !Sub "${AWS::StackName}-a"
      Arn: !GetAtt B.Arn
      Ref: !Ref B
      Joined: !Join [",", !Ref List]
      Alias: &x [1, true, "s"]
      Again: *x
`))
	if err != nil {
		t.Fatal(err)
	}
	got := tpl.Resources["A"].Properties
	want := map[string]any{
		"Name":   map[string]any{"Fn::Sub": "${AWS::StackName}-a"},
		"Arn":    map[string]any{"Fn::GetAtt": []any{"B", "Arn"}},
		"Ref":    map[string]any{"Ref": "B"},
		"Joined": map[string]any{"Fn::Join": []any{",", map[string]any{"Ref": "List"}}},
		"Alias":  []any{int64(1), true, "s"},
		"Again":  []any{int64(1), true, "s"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse:\n got %#v\nwant %#v", got, want)
	}
	if _, err := Parse([]byte("Resources:\n  A:\n    Properties: {}\n")); err == nil {
		t.Error("a resource without Type parsed")
	}
}

func TestFunctions(t *testing.T) {
	tpl := load(t)
	if got := tpl.OfType("AWS::Serverless::Function"); !reflect.DeepEqual(got, sortedKeys(functions)) {
		t.Fatalf("functions %v, want %v", got, sortedKeys(functions))
	}
	g := mapping(tpl.Globals["Function"])
	if g["Runtime"] != "provided.al2023" || !reflect.DeepEqual(g["Architectures"], []any{"arm64"}) || g["Handler"] != "bootstrap" {
		t.Errorf("Globals.Function: runtime %v, architectures %v, handler %v", g["Runtime"], g["Architectures"], g["Handler"])
	}
	if got := mapping(g["EventInvokeConfig"])["MaximumRetryAttempts"]; got != int64(2) {
		t.Errorf("EventInvokeConfig.MaximumRetryAttempts = %v, want 2", got)
	}
	dlq := mapping(g["DeadLetterQueue"])
	if dlq["Type"] != "SQS" || logicalID(dlq["TargetArn"]) != "DeadLetterQueue" {
		t.Errorf("Globals DeadLetterQueue = %v", dlq)
	}
	makefile, err := os.ReadFile(filepath.Join("..", "..", "..", "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	for id, pkg := range functions {
		r := tpl.Resources[id]
		if r.Metadata["BuildMethod"] != "makefile" {
			t.Errorf("%s: Metadata.BuildMethod = %v, want makefile", id, r.Metadata["BuildMethod"])
		}
		recipe := target(string(makefile), "build-"+id)
		for _, want := range []string{"GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0", "$(ARTIFACTS_DIR)/bootstrap", " " + pkg} {
			if !strings.Contains(recipe, want) {
				t.Errorf("Makefile build-%s: recipe %q lacks %q", id, recipe, want)
			}
		}
		if !strings.Contains(string(makefile), "LAMBDA_GOFLAGS := -tags lambda.norpc -trimpath -ldflags '-s -w'") ||
			!strings.Contains(recipe, "$(LAMBDA_GOFLAGS)") {
			t.Errorf("Makefile build-%s does not build with -tags lambda.norpc -trimpath -ldflags '-s -w'", id)
		}
		// The function logs to its own log group, which has a retention; its generated name stays within limits.
		name := "${AWS::StackName}-" + id
		if got, ok := r.Properties["FunctionName"]; ok {
			t.Errorf("%s: FunctionName %v: a StackSets stack name would make it longer than 64 characters", id, got)
		}
		lg := logicalID(mapping(r.Properties["LoggingConfig"])["LogGroup"])
		lgProps := tpl.Resources[lg].Properties
		if got := lgProps["LogGroupName"]; !reflect.DeepEqual(got, map[string]any{"Fn::Sub": "/aws/lambda/" + name}) {
			t.Errorf("%s: log group %s is named %v, want /aws/lambda/%s", id, lg, got, name)
		}
		if !reflect.DeepEqual(lgProps["RetentionInDays"], map[string]any{"Ref": "LogRetentionDays"}) {
			t.Errorf("%s: log group retention = %v", id, lgProps["RetentionInDays"])
		}
		if logicalID(r.Properties["Role"]) != id+"Role" || r.DependsOn != id+"Policy" {
			t.Errorf("%s: role %v, depends on %v; want %sRole and %sPolicy", id, r.Properties["Role"], r.DependsOn, id, id)
		}
	}
}

// target returns the recipe lines of a Makefile target.
func target(makefile, name string) string {
	lines := strings.Split(makefile, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, name+":") {
			var recipe []string
			for _, r := range lines[i+1:] {
				if !strings.HasPrefix(r, "\t") {
					break
				}
				recipe = append(recipe, strings.TrimSpace(r))
			}
			return strings.Join(recipe, "\n")
		}
	}
	return ""
}

func TestEnvironment(t *testing.T) {
	tpl := load(t)
	vars := mapping(mapping(mapping(tpl.Globals["Function"])["Environment"])["Variables"])
	want := []string{"AUDIT_CONFIG", "AUDIT_CONFIG_PARAMETER", "AWS_MAX_ATTEMPTS", "BASELINE_MODE", "LOG_LEVEL", "NOTIFY_THRESHOLD", "REPORT_PASSES", "REVISION_MODE",
		"SEVERITY_THRESHOLD", "STATE_TABLE", "TOPIC_ARN", "TRUSTED_REGISTRIES", "VULNERABILITY_THRESHOLD"}
	if got := sortedKeys(vars); !reflect.DeepEqual(got, want) {
		t.Errorf("environment variables %v, want %v", got, want)
	}
	params := []string{"SeverityThreshold", "NotifyThreshold", "TrustedRegistries", "VulnerabilityThreshold", "RevisionMode",
		"ReportPasses", "BaselineMode", "SweepSchedule", "NotificationEmail", "LogRetentionDays", "LogLevel", "AuditConfig",
		"SweepMaxAgeDays", "SweepPaceShare", "MemberAccounts", "MemberRoleName", "MemberExternalId", "AuditConfigParameter",
		"DataKeyArn", "OrganizationForwarding", "HookMode", "HookBlockSeverity"}
	if got := sortedKeys(tpl.Parameters); !reflect.DeepEqual(got, sorted(params)) {
		t.Errorf("parameters %v, want %v", got, sorted(params))
	}
	if got := mapping(tpl.Parameters["TrustedRegistries"])["Type"]; got != "CommaDelimitedList" {
		t.Errorf("TrustedRegistries type %v", got)
	}
	if got := mapping(tpl.Parameters["SweepSchedule"])["Default"]; got != "rate(12 hours)" {
		t.Errorf("SweepSchedule default %v", got)
	}
}

func TestStateTable(t *testing.T) {
	tpl := load(t)
	p := Resolve(tpl.Resources["StateTable"].Properties, map[string]bool{"HasDataKey": false}, nil)
	want := map[string]any{
		"BillingMode": "PAY_PER_REQUEST",
		"AttributeDefinitions": []any{
			map[string]any{"AttributeName": "pk", "AttributeType": "S"},
			map[string]any{"AttributeName": "sk", "AttributeType": "S"},
			map[string]any{"AttributeName": "gsi1pk", "AttributeType": "S"},
			map[string]any{"AttributeName": "gsi1sk", "AttributeType": "S"},
		},
		"KeySchema": []any{
			map[string]any{"AttributeName": "pk", "KeyType": "HASH"},
			map[string]any{"AttributeName": "sk", "KeyType": "RANGE"},
		},
		"GlobalSecondaryIndexes": []any{map[string]any{
			"IndexName": "gsi1",
			"KeySchema": []any{
				map[string]any{"AttributeName": "gsi1pk", "KeyType": "HASH"},
				map[string]any{"AttributeName": "gsi1sk", "KeyType": "RANGE"},
			},
			"Projection": map[string]any{"ProjectionType": "ALL"},
		}},
		"SSESpecification":                 map[string]any{"SSEEnabled": true},
		"PointInTimeRecoverySpecification": map[string]any{"PointInTimeRecoveryEnabled": true},
		"TimeToLiveSpecification":          map[string]any{"AttributeName": "expiresAt", "Enabled": true},
	}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("StateTable properties:\n got %#v\nwant %#v", p, want)
	}
}

// noResourceLevel lists the actions that the Service Authorization Reference gives no resource type, so that only
// "*" can name their resource.
var noResourceLevel = []string{
	"ecs:DescribeTaskDefinition", "ecs:ListTaskDefinitions", "ecs:ListTaskDefinitionFamilies", "ecs:ListClusters",
	"ecs:ListServices", "ecr:GetRegistryScanningConfiguration", "ecr:GetAuthorizationToken", "cloudtrail:DescribeTrails",
	"elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeLoadBalancers",
}

// allowedActions is every call the functions may make.
var allowedActions = append([]string{
	"logs:CreateLogStream", "logs:PutLogEvents", "lambda:InvokeFunction", "sts:AssumeRole",
	"ecr:DescribeRepositories", "ecr:DescribeImages", "ecr:DescribeImageScanFindings", "ecr:GetLifecyclePolicy",
	"ecr:GetRepositoryPolicy", "ecr:ListTagsForResource", "ecr:GetAuthorizationToken", "ecr:BatchGetImage",
	"ecr:GetDownloadUrlForLayer",
	"ecs:DescribeServices", "ecs:DescribeTaskSets", "ecs:DescribeClusters", "ecs:DescribeCapacityProviders",
	"ecs:DescribeContainerInstances", "ecs:ListContainerInstances", "ecs:ListTasks", "ecs:DescribeTasks",
	"kms:DescribeKey", "kms:GenerateDataKey*", "kms:Decrypt", "cloudtrail:GetTrailStatus", "ssm:GetParameter",
	"securityhub:BatchImportFindings", "securityhub:BatchUpdateFindings", "securityhub:DescribeHub",
	"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query",
	"dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:Scan", "sns:Publish", "sqs:SendMessage",
}, noResourceLevel...)

func TestLeastPrivilege(t *testing.T) {
	tpl := load(t)
	policies := tpl.OfType("AWS::IAM::Policy")
	if len(policies) != len(functions)+1 {
		t.Fatalf("IAM policies %v, want one per function and the sweeper's continuation", policies)
	}
	cont := mapping(tpl.Resources["SweeperContinuationPolicy"].Properties["PolicyDocument"])["Statement"].([]any)
	if len(cont) != 1 || !reflect.DeepEqual(strs(mapping(cont[0])["Action"]), []string{"lambda:InvokeFunction"}) ||
		!reflect.DeepEqual(mapping(cont[0])["Resource"], map[string]any{"Fn::GetAtt": []any{"Sweeper", "Arn"}}) {
		t.Errorf("SweeperContinuationPolicy: %v, want lambda:InvokeFunction on the sweeper only", cont)
	}
	for _, id := range policies {
		if id == "SweeperContinuationPolicy" {
			continue
		}
		doc := mapping(Resolve(tpl.Resources[id].Properties["PolicyDocument"], nil, nil))
		stmts, _ := doc["Statement"].([]any)
		var actions []string
		for i, s := range stmts {
			st := mapping(s)
			if st["Effect"] != "Allow" {
				t.Errorf("%s statement %d: Effect %v", id, i, st["Effect"])
			}
			acts := strs(st["Action"])
			actions = append(actions, acts...)
			for _, a := range acts {
				if !slices.Contains(allowedActions, a) {
					t.Errorf("%s: action %s is not one the functions need", id, a)
				}
				if st["Resource"] == "*" && !slices.Contains(noResourceLevel, a) {
					t.Errorf("%s: %s on \"*\", but it supports resource-level permissions", id, a)
				}
			}
			if strings.Contains(strings.Join(strs(st["Resource"]), ","), ":*:*:*") {
				t.Errorf("%s statement %d: resource %v is wider than needed", id, i, st["Resource"])
			}
		}
		// Every auditor logs, records state, notifies, publishes findings and dead-letters its failures; the hook's
		// function logs, and may be given the shared dead-letter queue.
		need := []string{"logs:PutLogEvents", "dynamodb:Query", "sns:Publish", "securityhub:BatchImportFindings",
			"sqs:SendMessage", "kms:GenerateDataKey*"}
		if id == "CfnHookPolicy" {
			need = []string{"logs:PutLogEvents", "sqs:SendMessage"}
			for _, a := range actions {
				if !slices.Contains([]string{"logs:CreateLogStream", "logs:PutLogEvents", "ssm:GetParameter", "sqs:SendMessage", "kms:GenerateDataKey*", "kms:Decrypt"}, a) {
					t.Errorf("%s: the hook's function reads nothing from AWS but its configuration, yet may %s", id, a)
				}
			}
		}
		for _, a := range need {
			if !slices.Contains(actions, a) {
				t.Errorf("%s lacks %s", id, a)
			}
		}
		if id != "SweeperPolicy" && slices.Contains(actions, "cloudtrail:DescribeTrails") {
			t.Errorf("%s: only the sweeper checks the trails", id)
		}
	}
	key := tpl.Resources["NotificationKey"].Properties
	if key["EnableKeyRotation"] != true {
		t.Error("NotificationKey: rotation is off")
	}
	var principals []string
	for _, s := range mapping(key["KeyPolicy"])["Statement"].([]any) {
		p := mapping(mapping(s)["Principal"])
		for _, a := range asList(p["AWS"]) {
			if id := logicalID(a); id != "" {
				principals = append(principals, id)
			}
		}
		principals = append(principals, strs(p["Service"])...)
	}
	for _, want := range []string{"TaskDefinitionAuditorRole", "EcrAuditorRole", "SweeperRole", "cloudwatch.amazonaws.com"} {
		if !slices.Contains(principals, want) {
			t.Errorf("the key policy does not let %s use the key (principals %v)", want, principals)
		}
	}
	if logicalID(tpl.Resources["NotificationTopic"].Properties["KmsMasterKeyId"]) != "NotificationKey" ||
		logicalID(tpl.Resources["DeadLetterQueue"].Properties["KmsMasterKeyId"]) != "NotificationKey" {
		t.Error("the topic and the dead-letter queue must be encrypted with NotificationKey")
	}
}

// TestPatternsArePrecise checks each pattern names its source and detail-type, and API call patterns their calls:
// never all of aws.ecs or aws.ecr.
func TestPatternsArePrecise(t *testing.T) {
	routes, err := load(t).Routes()
	if err != nil {
		t.Fatal(err)
	}
	schedules := 0
	for _, r := range routes {
		if r.Pattern == nil {
			schedules++
			if r.Function != "Sweeper" || !reflect.DeepEqual(r.Schedule, map[string]any{"Ref": "SweepSchedule"}) {
				t.Errorf("schedule %s/%s = %v, want the sweeper on !Ref SweepSchedule", r.Function, r.Name, r.Schedule)
			}
			continue
		}
		if len(strs(r.Pattern["source"])) == 0 || len(strs(r.Pattern["detail-type"])) == 0 {
			t.Errorf("%s/%s: pattern without source or detail-type: %v", r.Function, r.Name, r.Pattern)
		}
		if slices.Contains(strs(r.Pattern["detail-type"]), "AWS API Call via CloudTrail") {
			d := mapping(r.Pattern["detail"])
			if len(strs(d["eventSource"])) == 0 || len(strs(d["eventName"])) == 0 {
				t.Errorf("%s/%s: API call pattern without eventSource and eventName lists: %v", r.Function, r.Name, d)
			}
		}
	}
	if schedules != 1 {
		t.Errorf("%d schedules, want the sweeper's one", schedules)
	}
}

// TestAlarms checks the dead-letter queue alarm and that the NOT_AVAILABLE alarm watches the metric of every function,
// with the dimension internal/metrics writes (Function = the function's logical ID).
func TestAlarms(t *testing.T) {
	tpl := load(t)
	dlq := tpl.Resources["DeadLetterQueueAlarm"].Properties
	if dlq["MetricName"] != "ApproximateNumberOfMessagesVisible" || dlq["Threshold"] != int64(0) ||
		dlq["ComparisonOperator"] != "GreaterThanThreshold" {
		t.Errorf("DeadLetterQueueAlarm: %v %v %v", dlq["MetricName"], dlq["ComparisonOperator"], dlq["Threshold"])
	}
	var watched []string
	for _, m := range asList(tpl.Resources["NotAvailableAlarm"].Properties["Metrics"]) {
		metric := mapping(mapping(mapping(m)["MetricStat"])["Metric"])
		if len(metric) == 0 {
			continue // the expression
		}
		if metric["Namespace"] != "ecsaudit" || metric["MetricName"] != "NotAvailableResults" {
			t.Errorf("NotAvailableAlarm watches %v/%v", metric["Namespace"], metric["MetricName"])
		}
		for _, d := range asList(metric["Dimensions"]) {
			if mapping(d)["Name"] == "Function" {
				watched = append(watched, mapping(d)["Value"].(string))
			}
		}
	}
	if sort.Strings(watched); !reflect.DeepEqual(watched, auditors) {
		t.Errorf("NotAvailableAlarm watches functions %v, want %v", watched, auditors)
	}
	for _, id := range []string{"DeadLetterQueueAlarm", "NotAvailableAlarm"} {
		if acts := asList(tpl.Resources[id].Properties["AlarmActions"]); len(acts) != 1 || logicalID(acts[0]) != "NotificationTopic" {
			t.Errorf("%s does not notify the topic: %v", id, acts)
		}
	}
}

func TestOutputs(t *testing.T) {
	got := sortedKeys(load(t).Outputs)
	for _, want := range []string{"NotificationTopicArn", "DeadLetterQueueUrl", "StateTableName", "TaskDefinitionAuditorArn",
		"EcrAuditorArn", "SweeperArn"} {
		if !slices.Contains(got, want) {
			t.Errorf("no output %s (outputs %v)", want, got)
		}
	}
}

func strs(v any) []string {
	var out []string
	for _, x := range asList(v) {
		if m, ok := x.(map[string]any); ok {
			x = m["Fn::Sub"] // the text of a !Sub is what to check
		}
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}
