package iac

import (
	"fmt"
	"strings"
)

// The value tree a reader builds from a file: map[string]any, []any, string, int64, float64, bool, nil, and the
// three kinds below for what the file leaves open.

// unknown is a value set only at deployment (an attribute of another resource, an imported output, a parameter
// without a default, a value Terraform knows only after apply). probes, when set, are values of the right shape the
// unknown may take (an ECR repository URI, an account ID); the shaper picks probes from the field's type otherwise.
type unknown struct {
	why    string
	probes []any
}

// choice is a conditional whose condition the file's defaults do not decide: both branches are judged.
type choice struct {
	cond       string
	then, els  any
	line, col  int
	thenAbsent bool
	elsAbsent  bool
}

// noValue is AWS::NoValue: the property is removed.
type noValue struct{}

// partial is a string built of literal pieces and unknowns (an !Sub or !Join over a pseudo parameter or an
// attribute): its probes are the pieces joined, each unknown taking its probes in turn.
func partial(why string, parts []any) any {
	var holes []unknown
	for _, p := range parts {
		switch v := p.(type) {
		case unknown:
			holes = append(holes, v)
		case choice:
			holes = append(holes, unknown{why: "!If " + v.cond, probes: []any{v.then, v.els}})
		}
	}
	if len(holes) == 0 {
		var b strings.Builder
		for _, p := range parts {
			b.WriteString(scalarString(p))
		}
		return b.String()
	}
	n := 0
	for _, h := range holes {
		n = max(n, len(probesFor(h)))
	}
	probes := make([]any, 0, n)
	for i := range n {
		var b strings.Builder
		for _, p := range parts {
			switch v := p.(type) {
			case unknown:
				ps := probesFor(v)
				b.WriteString(scalarString(ps[i%len(ps)]))
			case choice:
				if i%2 == 0 {
					b.WriteString(scalarString(v.then))
				} else {
					b.WriteString(scalarString(v.els))
				}
			default:
				b.WriteString(scalarString(p))
			}
		}
		probes = append(probes, b.String())
	}
	reasons := make([]string, 0, len(holes))
	for _, h := range holes {
		reasons = append(reasons, h.why)
	}
	return unknown{why: why + " over " + strings.Join(dedupe(reasons), ", "), probes: probes}
}

// probesFor returns an unknown's own probes, or the generic strings when it has none.
func probesFor(u unknown) []any {
	if len(u.probes) > 0 {
		return u.probes
	}
	return genericStrings
}

func dedupe(ss []string) []string {
	seen := map[string]bool{}
	out := ss[:0:0]
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func scalarString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		if x == float64(int64(x)) {
			return fmt.Sprint(int64(x))
		}
	}
	return fmt.Sprint(v)
}

// Probes stand in for an unknown value: each is judged, and a rule whose verdict changes with them says
// NOT_AVAILABLE. They are shaped like what the rules tell apart: users, image references from a trusted registry or
// not, pinned or not, IAM role ARNs, network modes.
var (
	genericStrings = []any{
		"probe", "", "root", "0", "1000:1000",
		"docker.io/library/probe:latest",
		"111122223333.dkr.ecr.us-east-1.amazonaws.com/probe@sha256:" + strings.Repeat("0", 64),
		"arn:aws:iam::111122223333:role/probe-a", "arn:aws:iam::111122223333:role/probe-b",
		"host", "/",
	}
	accountProbes = []any{"111122223333", "444455556666"}
	regionProbes  = []any{"us-east-1", "eu-west-1", "cn-north-1"}
	intProbes     = []any{int64(0), int64(1), int64(512), int64(65535)}
	boolProbes    = []any{true, false}
)

// ecrURIProbes are what an ECR repository's URI can be.
func ecrURIProbes(repo string) []any {
	return []any{
		"111122223333.dkr.ecr.us-east-1.amazonaws.com/" + repo,
		"444455556666.dkr.ecr.eu-west-1.amazonaws.com/" + repo,
	}
}
