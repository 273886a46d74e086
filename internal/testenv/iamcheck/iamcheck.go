// Package iamcheck checks the functions' IAM permissions without AWS, since the emulator enforces no IAM. The
// committed table (actions.json) lists the actions each function's code may call and those AWS performs with its
// role; the package's tests hold it against the policies in template.yaml and against every call the SDK makes
// when the functions run on the sample events, a sweep and their failure paths.
package iamcheck

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"

	"github.com/ecsaudit/ecsaudit/internal/testenv/template"
)

//go:embed actions.json
var tableJSON []byte

// Table is actions.json.
type Table struct {
	// Functions is keyed by the function's logical ID in template.yaml.
	Functions map[string]Function `json:"functions"`
	// MemberRole is what a sweep calls in a member account, through the role of infra/member-role.yaml.
	MemberRole MemberRole `json:"memberRole"`
	// NoResourceLevel names the actions whose only resource is "*", each with the Service Authorization Reference
	// page that shows it has no resource type.
	NoResourceLevel map[string]string `json:"noResourceLevel"`
	// NoPermission names the calls that need no IAM permission, each with the page that says so.
	NoPermission map[string]string `json:"noPermission"`
	// Wildcards names the action patterns with a "*" a policy may grant, each with the page that asks for it.
	Wildcards map[string]string `json:"wildcards"`
}

// MemberRole is the member role's entry in the table.
type MemberRole struct {
	// Template is the template that creates the role, relative to the repository; Role its logical ID there.
	Template string `json:"template"`
	Role     string `json:"role"`
	// Calls are the actions a sweep calls with the role: exactly what it grants.
	Calls []string `json:"calls"`
}

// Function is one function's entry in the table.
type Function struct {
	// Policy is the logical ID of the AWS::IAM::Policy holding the function's permissions.
	Policy string `json:"policy"`
	// AlsoPolicies are further policies attached to the function's role: those that name the function itself, which
	// cannot be in Policy because the function depends on Policy.
	AlsoPolicies []string `json:"alsoPolicies,omitempty"`
	// Calls are the actions the function's code may call.
	Calls []string `json:"calls"`
	// OnBehalf are actions AWS performs with the function's role (logs, the dead-letter queue, encryption), with why.
	OnBehalf map[string]string `json:"onBehalf"`
	// UnusedGrants are actions the policy grants that no code calls, with why they are still there.
	UnusedGrants map[string]string `json:"unusedGrants"`
}

// Load returns the committed table.
func Load() (*Table, error) {
	var t Table
	if err := json.Unmarshal(tableJSON, &t); err != nil {
		return nil, fmt.Errorf("actions.json: %w", err)
	}
	return &t, nil
}

// Statement is one statement of an identity policy in the template.
type Statement struct {
	// Policy names where the statement is: a policy's logical ID, or "Role/index" for a role's inline policy.
	Policy, Sid, Effect string
	Actions             []string
	// Resources are strings or CloudFormation intrinsics ({"Fn::Sub": ...}).
	Resources []any
	// NotAction and NotResource say the statement used them (a check refuses both: they grant by exclusion).
	NotAction, NotResource bool
}

// AnyResource reports whether the statement names the resource "*".
func (s Statement) AnyResource() bool {
	for _, r := range s.Resources {
		if r == "*" {
			return true
		}
	}
	return false
}

// Identity is a role's permissions as the template states them.
type Identity struct {
	Role       string
	Statements []Statement
	// Managed lists the role's ManagedPolicyArns, whose content a static check cannot read.
	Managed []any
}

// IdentityPolicies returns every identity-policy statement in the template: AWS::IAM::Policy and
// AWS::IAM::ManagedPolicy resources and the inline policies of roles.
func IdentityPolicies(t *template.Template) ([]Statement, error) {
	var out []Statement
	for _, typ := range []string{"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"} {
		for _, id := range t.OfType(typ) {
			st, err := statements(id, t.Resources[id].Properties["PolicyDocument"])
			if err != nil {
				return nil, err
			}
			out = append(out, st...)
		}
	}
	for _, id := range t.OfType("AWS::IAM::Role") {
		inline, _ := t.Resources[id].Properties["Policies"].([]any)
		for i, p := range inline {
			m, _ := p.(map[string]any)
			st, err := statements(fmt.Sprintf("%s/%d", id, i), m["PolicyDocument"])
			if err != nil {
				return nil, err
			}
			out = append(out, st...)
		}
	}
	return out, nil
}

// FunctionIdentity returns the permissions of a function's execution role: the role's inline policies and every
// AWS::IAM::Policy or AWS::IAM::ManagedPolicy attached to it.
func FunctionIdentity(t *template.Template, function string) (*Identity, error) {
	fn, ok := t.Resources[function]
	if !ok || fn.Type != "AWS::Serverless::Function" {
		return nil, fmt.Errorf("template: no function %s", function)
	}
	if fn.Properties["Policies"] != nil {
		return nil, fmt.Errorf("template: function %s has SAM Policies; its permissions belong to its role's policy", function)
	}
	role := logicalID(fn.Properties["Role"])
	if r, ok := t.Resources[role]; !ok || r.Type != "AWS::IAM::Role" {
		return nil, fmt.Errorf("template: function %s has no role of this template (Role %v)", function, fn.Properties["Role"])
	}
	id := &Identity{Role: role}
	props := t.Resources[role].Properties
	if m, ok := props["ManagedPolicyArns"].([]any); ok {
		id.Managed = m
	}
	inline, _ := props["Policies"].([]any)
	for i, p := range inline {
		m, _ := p.(map[string]any)
		st, err := statements(fmt.Sprintf("%s/%d", role, i), m["PolicyDocument"])
		if err != nil {
			return nil, err
		}
		id.Statements = append(id.Statements, st...)
	}
	for _, typ := range []string{"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"} {
		for _, pid := range t.OfType(typ) {
			props := t.Resources[pid].Properties
			roles, _ := props["Roles"].([]any)
			attached := false
			for _, r := range roles {
				if logicalID(r) == role {
					attached = true
				}
			}
			if !attached {
				continue
			}
			st, err := statements(pid, props["PolicyDocument"])
			if err != nil {
				return nil, err
			}
			id.Statements = append(id.Statements, st...)
		}
	}
	return id, nil
}

// statements lists a policy document's statements as deployed with every condition true: the widest grant.
func statements(policy string, doc any) ([]Statement, error) {
	m, ok := template.Resolve(doc, nil, nil).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("policy %s: no PolicyDocument", policy)
	}
	var list []any
	switch s := m["Statement"].(type) {
	case []any:
		list = s
	case map[string]any:
		list = []any{s}
	default:
		return nil, fmt.Errorf("policy %s: no Statement", policy)
	}
	var out []Statement
	for i, s := range list {
		sm, ok := s.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("policy %s statement %d: not a mapping", policy, i)
		}
		st := Statement{Policy: policy, Effect: fmt.Sprint(sm["Effect"]), NotAction: sm["NotAction"] != nil, NotResource: sm["NotResource"] != nil}
		st.Sid, _ = sm["Sid"].(string)
		for _, a := range list1(sm["Action"]) {
			name, ok := a.(string)
			if !ok {
				return nil, fmt.Errorf("policy %s statement %d: action %v is not a string", policy, i, a)
			}
			st.Actions = append(st.Actions, name)
		}
		st.Resources = list1(sm["Resource"])
		out = append(out, st)
	}
	return out, nil
}

func list1(v any) []any {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		return v
	}
	return []any{v}
}

// logicalID returns the resource a {"Ref": id} or {"Fn::GetAtt": [id, attr]} names.
func logicalID(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	if g, ok := m["Fn::GetAtt"].([]any); ok && len(g) > 0 {
		s, _ := g[0].(string)
		return s
	}
	s, _ := m["Ref"].(string)
	return s
}

// Allows reports whether an Allow statement grants action (IAM matches actions case-insensitively, with "*" and
// "?" wildcards). Deny statements are not considered: the template has none, and a check refuses them.
func Allows(stmts []Statement, action string) bool {
	for _, s := range stmts {
		if s.Effect != "Allow" || s.NotAction {
			continue
		}
		for _, pattern := range s.Actions {
			if Match(pattern, action) {
				return true
			}
		}
	}
	return false
}

// Match reports whether an IAM action pattern matches an action, ignoring case.
func Match(pattern, action string) bool {
	p, a := strings.ToLower(pattern), strings.ToLower(action)
	// Classic wildcard matching with backtracking on the last "*".
	pi, ai, star, mark := 0, 0, -1, 0
	for ai < len(a) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == a[ai]):
			pi++
			ai++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, ai
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			ai = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// iamPrefixes maps the SDK's service IDs to IAM service prefixes, for the services the project's code uses.
var iamPrefixes = map[string]string{
	"ECS": "ecs", "ECR": "ecr", "DynamoDB": "dynamodb", "SecurityHub": "securityhub", "SNS": "sns", "SQS": "sqs",
	"STS": "sts", "KMS": "kms", "CloudTrail": "cloudtrail", "Inspector2": "inspector2", "Lambda": "lambda",
	"EventBridge": "events", "CloudWatch": "cloudwatch", "S3": "s3", "Elastic Load Balancing v2": "elasticloadbalancing",
}

// iamActions names the actions of the operations whose IAM action is not the operation's name.
var iamActions = map[string]string{"lambda:Invoke": "lambda:InvokeFunction"}

// Action names the IAM action of an SDK operation: the service's IAM prefix and the operation name, which for the
// services the project calls is the action's name but for Lambda's Invoke (lambda:InvokeFunction). An unknown
// service gives "?<ServiceID>:<operation>", which no policy grants.
func Action(serviceID, operation string) string {
	if p, ok := iamPrefixes[serviceID]; ok {
		if a, ok := iamActions[p+":"+operation]; ok {
			return a
		}
		return p + ":" + operation
	}
	return "?" + serviceID + ":" + operation
}

// Recorder records every operation the SDK clients it is added to call, as IAM actions. It is safe for concurrent
// use.
type Recorder struct {
	mu    sync.Mutex
	calls map[string]int
}

// NewRecorder returns an empty recorder.
func NewRecorder() *Recorder { return &Recorder{calls: map[string]int{}} }

// Add is an SDK API option (aws.Config.APIOptions): it adds to a client's middleware stack a step that records each
// operation once per call, whatever its retries.
func (r *Recorder) Add(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("iamcheck.Record",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			action := Action(awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx))
			r.mu.Lock()
			r.calls[action]++
			r.mu.Unlock()
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
}

// Calls returns how many times each action was called.
func (r *Recorder) Calls() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int, len(r.calls))
	for k, v := range r.calls {
		out[k] = v
	}
	return out
}

// Actions returns the recorded actions, sorted.
func (r *Recorder) Actions() []string {
	calls := r.Calls()
	out := make([]string, 0, len(calls))
	for a := range calls {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// auditedServices are the services whose resources the auditor judges.
var auditedServices = map[string]bool{"ecs": true, "ecr": true, "kms": true, "inspector2": true, "cloudtrail": true}

// readVerbs start the names of actions that only read.
var readVerbs = []string{"Describe", "Get", "List", "BatchGet", "BatchCheck", "Lookup"}

// harmless are actions on audited services that change nothing: SNS and SQS use the notification key to encrypt.
var harmless = map[string]bool{"kms:GenerateDataKey*": true, "kms:GenerateDataKey": true, "kms:Decrypt": true}

// ChangesAudited reports whether an action (or action pattern) may change what the auditor audits: anything on ECS,
// ECR, KMS, Inspector or CloudTrail that is not a read.
func ChangesAudited(action string) bool {
	service, name, _ := strings.Cut(action, ":")
	if !auditedServices[strings.ToLower(service)] || harmless[action] {
		return false
	}
	if strings.ContainsAny(name, "*?") {
		return true // a pattern may reach writes as well as reads
	}
	for _, v := range readVerbs {
		if strings.HasPrefix(name, v) {
			return false
		}
	}
	return true
}
