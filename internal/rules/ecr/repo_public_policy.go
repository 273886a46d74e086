package ecr

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// RepoPublicPolicy fails a repository whose policy lets anyone use it.
var RepoPublicPolicy = registerRepo(&RepoRule{
	Meta: rule.Meta{
		ID:    "repo.public-policy",
		Title: "Repository policy allows any principal",
		Description: "A repository policy statement that allows principal \"*\" without a condition pinning it to an " +
			"account, organization or source lets every AWS account pull the images (and, depending on the " +
			"actions, push or delete them): code, embedded configuration and secrets leak, and images can be replaced.",
		Remediation: "Name the accounts that need access as principals, or add a condition such as aws:PrincipalOrgID, " +
			"and apply it with `aws ecr set-repository-policy --repository-name NAME --policy-text file://policy.json`; " +
			"`aws ecr delete-repository-policy --repository-name NAME` removes the policy altogether.",
		RemediationURL: "https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html",
		Severity:       rule.Critical,
		Profile:        rule.Baseline,
		Related:        []string{"Prowler ecr_repositories_not_publicly_accessible"},
		References: []string{
			"https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html",
			"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html",
		},
	},
	Check: func(r *model.Repository, _ *rule.Env) []rule.Result {
		if !r.PolicyKnown {
			return notAvailable(fmt.Sprintf("the input says nothing of the policy of repository %q: add the output of "+
				"`aws ecr get-repository-policy --repository-name %s`, or a \"repositoryPolicies\" list in the "+
				"describe-repositories bundle (a repository missing from that list has none)", r.Name(), r.Name()))
		}
		if strings.TrimSpace(r.Policy) == "" {
			return pass("the repository has no repository policy")
		}
		var doc policyDocument
		if err := json.Unmarshal([]byte(r.Policy), &doc); err != nil {
			// ECR refuses a policy that does not parse, so the input is damaged: judging it either way would guess.
			return notAvailable(fmt.Sprintf("the repository policy cannot be read: %v", err))
		}
		var open []string
		var keys []string
		for i, s := range doc.Statement {
			if !strings.EqualFold(s.Effect, "Allow") {
				continue
			}
			public, err := s.public()
			if err != nil {
				return notAvailable(fmt.Sprintf("the repository policy cannot be read: statement %s: %v", s.label(i), err))
			}
			if !public {
				continue
			}
			if key, ok := restrictingCondition(s.Condition); ok {
				keys = append(keys, key)
				continue
			}
			open = append(open, s.label(i)+actionText(s.Action))
		}
		if len(open) > 0 {
			return fail(fmt.Sprintf("the repository policy allows any principal without a condition restricting it to "+
				"an account, organization or source: statement %s", strings.Join(open, "; statement ")), "policyText")
		}
		if len(keys) > 0 {
			return pass(fmt.Sprintf("every statement allowing any principal is restricted by a condition (%s)",
				strings.Join(keys, ", ")))
		}
		return pass("no statement of the repository policy allows any principal")
	},
})

// policyDocument is the part of an IAM policy this rule reads.
type policyDocument struct {
	Statement statements `json:"Statement"`
}

// statements accepts a single statement object as well as a list, as IAM does.
type statements []policyStatement

func (s *statements) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		var one policyStatement
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = statements{one}
		return nil
	}
	var many []policyStatement
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}

type policyStatement struct {
	Sid          string
	Effect       string
	Principal    json.RawMessage
	NotPrincipal json.RawMessage
	Action       json.RawMessage
	// Condition maps an operator to condition keys and their value or values.
	Condition map[string]map[string]json.RawMessage
}

func (s *policyStatement) label(i int) string {
	if s.Sid != "" {
		return strconv.Quote(s.Sid)
	}
	return "#" + strconv.Itoa(i)
}

// public reports whether the statement applies to every principal: Principal "*", {"AWS": "*"} or a principal
// list holding "*", or an Allow with NotPrincipal, which grants to everyone except those named.
func (s *policyStatement) public() (bool, error) {
	if len(s.NotPrincipal) > 0 && string(s.NotPrincipal) != "null" {
		return true, nil
	}
	if len(s.Principal) == 0 {
		return false, nil
	}
	p, err := decodeJSON(s.Principal)
	if err != nil {
		return false, fmt.Errorf("principal: %w", err)
	}
	switch p := p.(type) {
	case string:
		return p == "*", nil
	case map[string]any:
		for _, v := range p {
			for _, x := range flatten(v) {
				if x == "*" {
					return true, nil
				}
			}
		}
	}
	return false, nil
}

// restrictingKey reports whether a condition key (lower case: IAM compares keys case-insensitively) pins a
// statement to an account, organization, network or source.
func restrictingKey(k string) bool {
	switch k {
	case "aws:principalaccount", "aws:principalorgid", "aws:principalorgpaths", "aws:principalarn",
		"aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourcevpc", "aws:sourcevpce", "aws:sourceip":
		return true
	}
	return false
}

// positiveOperator reports whether a condition operator (lower case) admits only matching requests. Negated
// operators (StringNotEquals: everyone but), ...IfExists (passes when the key is absent), ForAllValues: (passes on
// an empty set) and Null restrict nothing.
func positiveOperator(op string) bool {
	switch strings.TrimPrefix(op, "foranyvalue:") {
	case "stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike", "ipaddress":
		return true
	}
	return false
}

// restrictingCondition returns the condition key that restricts a statement, if one does. Operators and keys are
// visited in order so the key named in a detail does not change from run to run.
func restrictingCondition(cond map[string]map[string]json.RawMessage) (string, bool) {
	for _, op := range model.SortedKeys(cond) {
		if !positiveOperator(strings.ToLower(op)) {
			continue
		}
		kv := cond[op]
		for _, key := range model.SortedKeys(kv) {
			raw := kv[key]
			k := strings.ToLower(key)
			if !restrictingKey(k) {
				continue
			}
			v, err := decodeJSON(raw)
			if err != nil {
				continue
			}
			vals := flatten(v)
			ok := len(vals) > 0
			for _, x := range vals {
				ok = ok && specificValue(k, x)
			}
			if ok {
				return key, true
			}
		}
	}
	return "", false
}

// specificValue reports whether a condition value pins its key to something narrower than anyone.
func specificValue(key, v string) bool {
	switch key {
	case "aws:sourceip":
		return v != "" && v != "0.0.0.0/0" && v != "::/0"
	case "aws:principalorgpaths":
		// o-<id>/r-<root>/ou-.../* : the organization ID must be named; the path below it may use wildcards.
		org, _, _ := strings.Cut(v, "/")
		return org != "" && !hasWildcard(org)
	case "aws:principalarn", "aws:sourcearn":
		a, ok := model.ParseARN(v)
		if !ok {
			return v != "" && !hasWildcard(v)
		}
		if a.Account != "" {
			// arn:aws:iam::123456789012:role/* is pinned to one account; arn:aws:iam::*:role/x is not.
			return !hasWildcard(a.Account)
		}
		// ARNs without an account (S3 buckets) are pinned by the resource name.
		name, _, _ := strings.Cut(a.Resource, "/")
		return name != "" && !hasWildcard(name)
	}
	return v != "" && !hasWildcard(v)
}

func hasWildcard(s string) bool { return strings.ContainsAny(s, "*?") }

// decodeJSON decodes any JSON value, keeping numbers as written (an account ID must not become 1.23e+11).
func decodeJSON(raw json.RawMessage) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// flatten turns a JSON value that is one scalar or a list of scalars into strings.
func flatten(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case bool:
		return []string{strconv.FormatBool(v)}
	case json.Number:
		return []string{v.String()}
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, flatten(x)...)
		}
		return out
	}
	return nil
}

func actionText(raw json.RawMessage) string {
	v, err := decodeJSON(raw)
	if err != nil {
		return ""
	}
	acts := flatten(v)
	if len(acts) == 0 {
		return ""
	}
	return " (" + strings.Join(acts, ", ") + ")"
}
