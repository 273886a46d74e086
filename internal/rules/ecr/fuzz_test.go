package ecr

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// fuzzCorpus is the shared corpus of real AWS documents, relative to this package's directory.
const fuzzCorpus = "../../../testdata/corpus"

// fuzzPolicySeeds returns the policy texts of the corpus's policy files: the policyText of get-repository-policy
// output (bare or recorded), or the whole file for set-repository-policy input. A missing corpus fails the test.
func fuzzPolicySeeds(f *testing.F) []string {
	f.Helper()
	files, err := filepath.Glob(fuzzCorpus + "/ecr/*policy*.json")
	if err != nil || len(files) == 0 {
		f.Fatalf("seed corpus: no policy files under %s/ecr (%v)", fuzzCorpus, err)
	}
	var out []string
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatalf("seed corpus: %v", err)
		}
		var doc struct {
			PolicyText *string `json:"policyText"`
			Data       struct {
				PolicyText *string `json:"policyText"`
			} `json:"data"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			f.Fatalf("seed corpus: %s: %v", file, err)
		}
		switch {
		case doc.PolicyText != nil:
			out = append(out, *doc.PolicyText)
		case doc.Data.PolicyText != nil:
			out = append(out, *doc.Data.PolicyText)
		default:
			out = append(out, string(data))
		}
	}
	return out
}

func fuzzRepo(name string) *model.Repository {
	return &model.Repository{Repo: ecrtypes.Repository{RepositoryName: &name}, Described: true}
}

// fuzzCheck runs a repository rule and insists on the one resource-level result every repository rule gives.
func fuzzCheck(t *testing.T, r *RepoRule, repo *model.Repository, allowed ...rule.Status) rule.Result {
	t.Helper()
	res := r.Check(repo, &rule.Env{Settings: rule.DefaultSettings()})
	if len(res) != 1 {
		t.Fatalf("%s: %d results, want 1: %+v", r.ID, len(res), res)
	}
	for _, s := range allowed {
		if res[0].Status == s {
			if res[0].Detail == "" {
				t.Fatalf("%s: %s without a detail", r.ID, s)
			}
			return res[0]
		}
	}
	t.Fatalf("%s: status %q, want one of %v (detail %q)", r.ID, res[0].Status, allowed, res[0].Detail)
	return rule.Result{}
}

// openStatement grants everything to everyone: added to any readable policy, the policy must fail.
const openStatement = `{"Sid":"fuzz-open","Effect":"Allow","Principal":"*","Action":"ecr:BatchGetImage"}`

// FuzzPolicy judges arbitrary repository policy texts with repo.public-policy: a policy comes from the account
// being audited, where anyone allowed to set it may write anything ECR accepts, and from files given to the CLI.
func FuzzPolicy(f *testing.F) {
	for _, p := range fuzzPolicySeeds(f) {
		f.Add(p)
	}
	for _, p := range []string{
		``, ` `, `{}`, `null`, `[]`, `{"Statement":null}`, `{"Statement":"x"}`,
		`{"Statement":{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root","*"]},"Action":"ecr:*"}}`,
		`{"Statement":[{"Effect":"allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"ecr:*"}]}`,
		`{"Statement":[{"Effect":"Allow","Principal":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}}]}`,
		`{"Statement":[{"Effect":"Allow","Principal":"*","Condition":{"StringEqualsIfExists":{"aws:PrincipalOrgID":"o-abc"}}}]}`,
		`{"Statement":[{"Effect":"Allow","Principal":"*","Condition":{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":["o-a/r-b/*"]}}}]}`,
		`{"Statement":[{"Effect":"Allow","Principal":"*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:iam::*:role/x"}}}]}`,
		`{"Statement":[{"Effect":"Allow","Principal":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":111122223333}}}]}`,
		`{"Statement":[{"Effect":"Allow","Principal":"*","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","0.0.0.0/0"]}}}]}`,
		`{"Statement":[{"Effect":"Allow","Principal":{"Service":"codebuild.amazonaws.com"}},{"Effect":"Deny","Principal":"*"}]}`,
		`{"Statement":[{"Effect":"Allow","Principal":[1,{"AWS":"*"}]}]}`,
		`{"Statement":[{"Effect":"Allow","Principal":"*","Condition":{"StringEquals":null}}]}`,
		`{"statement":[{"effect":"Allow","principal":"*"}],"STATEMENT":{}}`,
	} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, policy string) {
		repo := fuzzRepo("web")
		repo.Policy, repo.PolicyKnown = policy, true
		res := fuzzCheck(t, RepoPublicPolicy, repo, rule.Passed, rule.Failed, rule.NotAvailable)
		switch {
		case strings.TrimSpace(policy) == "" && res.Status != rule.Passed:
			t.Fatalf("no policy judged %s", res.Status)
		case strings.TrimSpace(policy) != "" && !json.Valid([]byte(policy)) && res.Status != rule.NotAvailable:
			t.Fatalf("unreadable policy judged %s: %s", res.Status, res.Detail)
		case res.Status == rule.Failed && res.Path != "policyText":
			t.Fatalf("failure points at %q, want policyText", res.Path)
		}
		if res.Status == rule.NotAvailable || strings.TrimSpace(policy) == "" {
			return
		}
		// The policy was read: with an open statement added it must fail.
		opened, ok := withStatement(policy, openStatement)
		if !ok {
			return
		}
		repo.Policy = opened
		if got := fuzzCheck(t, RepoPublicPolicy, repo, rule.Passed, rule.Failed, rule.NotAvailable); got.Status != rule.Failed {
			t.Fatalf("policy with an open statement added judged %s: %s\npolicy: %s", got.Status, got.Detail, opened)
		}
	})
}

// withStatement adds a statement to a policy document. It declines documents where it cannot tell which of several
// differently cased "Statement" keys encoding/json would use.
func withStatement(policy, stmt string) (string, bool) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(policy), &doc); err != nil {
		return "", false
	}
	key := "Statement"
	var found []string
	for k := range doc {
		if strings.EqualFold(k, "Statement") {
			found = append(found, k)
		}
	}
	if len(found) > 1 {
		return "", false
	}
	var list []json.RawMessage
	if len(found) == 1 {
		key = found[0]
		raw := bytes.TrimSpace(doc[key])
		switch {
		case len(raw) > 0 && raw[0] == '{':
			list = []json.RawMessage{raw}
		case len(raw) > 0 && raw[0] == '[':
			if err := json.Unmarshal(raw, &list); err != nil {
				return "", false
			}
		}
	}
	if doc == nil {
		doc = map[string]json.RawMessage{}
	}
	list = append(list, json.RawMessage(stmt))
	raw, err := json.Marshal(list)
	if err != nil {
		return "", false
	}
	doc[key] = raw
	out, err := json.Marshal(doc)
	if err != nil {
		return "", false
	}
	return string(out), true
}

// referenceFilterMatch is an independent reading of the ECR filter documentation: no "*" matches any name that
// contains the filter; otherwise the whole name must match, each "*" standing for any run of characters.
func referenceFilterMatch(filter, name string) bool {
	if filter == "" {
		return false
	}
	if !strings.Contains(filter, "*") {
		return strings.Contains(name, filter)
	}
	// The literal pieces between the stars must appear in order, the first at the start and the last at the end;
	// taking each middle piece at its leftmost place leaves the most room for the rest.
	parts := strings.Split(filter, "*")
	head, tail := parts[0], parts[len(parts)-1]
	if !strings.HasPrefix(name, head) {
		return false
	}
	rest := name[len(head):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(rest, p)
		if i < 0 {
			return false
		}
		rest = rest[i+len(p):]
	}
	return strings.HasSuffix(rest, tail)
}

// FuzzScanFilter judges a repository against one registry scanning rule with repo.scan-on-push-disabled: filters and
// repository names come from the audited account.
func FuzzScanFilter(f *testing.F) {
	for _, s := range []struct {
		filter, name        string
		enhanced, scanOnPsh bool
	}{
		{"*", "web", false, false}, {"prod", "repo-prod-repo", false, false}, {"*prod", "prod-repo", true, false},
		{"prod*", "prod-repo", true, false}, {"*prod*", "a/prod/b", false, false}, {"", "web", false, true},
		{"team/*/web", "team/a/b/web", true, true}, {"**", "", false, false}, {"a*b*c", "abcabc", true, false},
		{"web?", "webs", false, false}, {"web", "WEB", true, false},
	} {
		f.Add(s.filter, s.name, s.enhanced, s.scanOnPsh)
	}
	f.Fuzz(func(t *testing.T, filter, name string, enhanced, scanOnPush bool) {
		repo := fuzzRepo(name)
		repo.Repo.ImageScanningConfiguration = &ecrtypes.ImageScanningConfiguration{ScanOnPush: scanOnPush}
		reg := &ecrtypes.RegistryScanningConfiguration{ScanType: ecrtypes.ScanTypeBasic}
		freq := ecrtypes.ScanFrequencyScanOnPush
		if enhanced {
			reg.ScanType, freq = ecrtypes.ScanTypeEnhanced, ecrtypes.ScanFrequencyContinuousScan
		}
		reg.Rules = []ecrtypes.RegistryScanningRule{{ScanFrequency: freq, RepositoryFilters: []ecrtypes.ScanningRepositoryFilter{
			{Filter: &filter, FilterType: ecrtypes.ScanningRepositoryFilterTypeWildcard},
		}}}
		repo.Registry = reg
		res := fuzzCheck(t, RepoScanOnPushDisabled, repo, rule.Passed, rule.Failed)
		if strings.Contains(filter, "?") {
			// ECR refuses "?" in a filter (pattern ^[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*$), so no registry holds one.
			return
		}
		want := rule.Failed
		if referenceFilterMatch(filter, name) || (!enhanced && scanOnPush) {
			want = rule.Passed
		}
		if res.Status != want {
			t.Fatalf("filter %q, repository %q, enhanced=%v, scanOnPush=%v: %s, want %s (%s)",
				filter, name, enhanced, scanOnPush, res.Status, want, res.Detail)
		}
	})
}
